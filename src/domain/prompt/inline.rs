//! Splices the built-in partials into the compiled templates that call them, so that
//! rendering a prompt does not copy its whole context once per partial.
//!
//! The `handlebars` crate renders `{{> name}}` by deep-copying the current context into
//! a new block (even with no parameters), and the default templates call five or six
//! partials: with the siblings' full rows in the context, those copies were most of
//! the time a claim spent rendering. A partial called with no parameter, no hash, no
//! block and no indentation renders exactly its own elements against the same context,
//! so its compiled elements can take the place of the call.
//!
//! Left to the crate, unchanged: calls with parameters, hashes, blocks or indentation
//! (they change the context or the output), dynamic or quoted names, and every call in
//! a template that contains a decorator (an inline partial, `{{#*inline}}`, may shadow
//! a built-in name). The built-in partials use no `../` or `@root`, which a new block
//! would change.

use handlebars::Template;
use handlebars::template::{DecoratorTemplate, TemplateElement};

/// Replaces, in `template` and its nested blocks, each plain call of one of `partials`
/// (by name, compiled) with that partial's elements, themselves spliced the same way.
pub fn inline_partials(template: &mut Template, partials: &[(&str, Template)]) {
    if !has_decorator(template) {
        splice(template, partials, &mut Vec::new());
    }
}

/// Whether `template` or any block in it holds a decorator (`{{* …}}`, `{{#* …}}`).
fn has_decorator(template: &Template) -> bool {
    template.elements.iter().any(|element| match element {
        TemplateElement::DecoratorExpression(_) | TemplateElement::DecoratorBlock(_) => true,
        TemplateElement::HelperBlock(block) => {
            block.template.as_ref().is_some_and(has_decorator)
                || block.inverse.as_ref().is_some_and(has_decorator)
        }
        TemplateElement::PartialBlock(block) => block.template.as_ref().is_some_and(has_decorator),
        _ => false,
    })
}

/// Splices into `template`; `within` names the partials being spliced around it, so a
/// partial calling itself is left to the crate (which refuses it).
fn splice<'a>(
    template: &mut Template,
    partials: &'a [(&str, Template)],
    within: &mut Vec<&'a str>,
) {
    let calls = std::mem::take(&mut template.elements);
    let positions = std::mem::take(&mut template.mapping);
    // Each element's source position, for error messages; a spliced partial's elements
    // take the position of its call.
    let mapped = positions.len() == calls.len();
    let mut elements = Vec::with_capacity(calls.len());
    let mut mapping = Vec::with_capacity(positions.len());
    for (mut element, position) in calls
        .into_iter()
        .zip(positions.iter().map(Some).chain(std::iter::repeat(None)))
    {
        if let TemplateElement::PartialExpression(call) = &element
            && let Some((name, partial)) = plain_call(call, partials)
            && !within.contains(&name)
        {
            let mut body = partial.clone();
            within.push(name);
            splice(&mut body, partials, within);
            within.pop();
            mapping.extend(
                position
                    .into_iter()
                    .cycle()
                    .take(body.elements.len())
                    .cloned(),
            );
            elements.append(&mut body.elements);
            continue;
        }
        if let TemplateElement::HelperBlock(block) = &mut element {
            for nested in [&mut block.template, &mut block.inverse]
                .into_iter()
                .flatten()
            {
                splice(nested, partials, within);
            }
        }
        elements.push(element);
        mapping.extend(position.cloned());
    }
    template.elements = elements;
    if mapped {
        template.mapping = mapping;
    }
}

/// The built-in partial `call` renders, if it is a plain call of one: a name, no
/// parameter, no hash, no block, no indentation.
fn plain_call<'a>(
    call: &DecoratorTemplate,
    partials: &'a [(&str, Template)],
) -> Option<(&'a str, &'a Template)> {
    if !call.params.is_empty()
        || !call.hash.is_empty()
        || call.template.is_some()
        || call.indent.is_some()
    {
        return None;
    }
    let name = call.name.as_name()?;
    partials
        .iter()
        .find(|(partial, _)| *partial == name)
        .map(|(partial, template)| (*partial, template))
}

#[cfg(test)]
mod tests {
    use handlebars::Template;
    use handlebars::template::TemplateElement;
    use serde_json::{Value, json};

    use super::inline_partials;
    use crate::domain::prompt::defaults::{PARTIALS, TEMPLATES};
    use crate::domain::prompt::render::{Renderer, date_value};
    use crate::domain::prompt::source::adapt;

    /// A context with every part a template can see filled in.
    fn full(sign_off: bool) -> Value {
        let row = |n: i64, status: &str| {
            json!({"id": format!("iss_{n}"), "number": n, "title": format!("Issue {n}"), "type": "task",
                "status": status, "description": format!("About {n}"), "createdAt": date_value("2026-11-25T04:29:09.000Z"),
                "hypothesis": null})
        };
        json!({
            "issue": row(5, "in_progress"),
            "parent": {"id": "iss_1", "number": 1, "title": "Root", "type": "hypothesis", "description": "Why",
                "hypothesis": {"statement": "S", "confidence": 0.75, "validationCriteria": "V"}},
            "siblings": [row(6, "todo"), row(7, "done")],
            "children": [row(8, "todo")],
            "project": {"id": "proj_1", "name": "Checkout", "description": "Pay"},
            "goal": {"title": "Conversion", "currentValue": 2, "targetValue": 3.5, "unit": "%", "status": "active"},
            "labels": [{"name": "bug", "color": "red"}],
            "blocking": [], "blockedBy": [{"id": "iss_9", "number": 9, "title": "Blocker"}],
            "previousSessions": [{"status": "todo", "agentSummary": "Tried"}],
            "loopUrl": "http://loop", "loopToken": "key", "signOff": {"required": sign_off},
            "meta": {"templateId": "t", "templateSlug": "s", "versionId": "v", "versionNumber": 1},
        })
    }

    #[test]
    fn spliced_renderings_equal_the_crates_partials() {
        let mut templates: Vec<String> = TEMPLATES.iter().map(|t| t.content.to_owned()).collect();
        templates.extend(
            PARTIALS
                .iter()
                .map(|(name, _)| format!("before\n{{{{> {name}}}}}\nafter")),
        );
        templates.extend(
            [
                "x {{> sibling_context}} y {{> sign_off}}z",
                "  {{> api_reference}}\n  {{> parent_context}}\nend",
                "a\r\n{{> parent_context}}\r\n{{> sibling_context}}\r\nb",
                "{{#each siblings}}{{@index}}{{> sibling_context}}{{> parent_context}}{{/each}}",
                "{{#each siblings as |project|}}{{> project_and_goal_context}}{{/each}}",
                "{{#with parent}}{{> parent_context}}{{/with}}",
                "{{#if parent}}\n{{> parent_context}}\n{{else}}\n{{> project_and_goal_context}}\n{{/if}}",
                "{{#unless parent}}{{else if project}}{{> project_and_goal_context}}{{/unless}}",
                "{{> sibling_context siblings=children}}|{{> parent_context issue}}|{{> sign_off signOff=parent}}",
                "{{#*inline \"parent_context\"}}mine{{/inline}}{{> parent_context}}",
                "{{~> sign_off}}\n\n{{> review_instructions~}}\n\nend",
                "{{> missing_partial_is_an_error_either_way}}",
                "{{> review_instructions}}",
            ]
            .map(str::to_owned),
        );
        let renderer = Renderer::new();
        for (n, template) in templates.iter().enumerate() {
            for context in [full(false), full(true), json!({})] {
                let spliced = renderer.render(&format!("t{n}"), template, context.clone());
                let crates = renderer.render_without_inlining(template, context);
                assert_eq!(
                    spliced.is_ok(),
                    crates.is_ok(),
                    "{template}: {spliced:?} {crates:?}"
                );
                if let (Ok(spliced), Ok(crates)) = (spliced, crates) {
                    assert_eq!(spliced, crates, "{template}");
                }
            }
        }
    }

    /// The partial calls left in `template`, nested blocks included.
    fn calls_left(template: &Template) -> usize {
        template
            .elements
            .iter()
            .map(|element| match element {
                TemplateElement::PartialExpression(_) => 1,
                TemplateElement::HelperBlock(block) => {
                    block.template.as_ref().map_or(0, calls_left)
                        + block.inverse.as_ref().map_or(0, calls_left)
                }
                _ => 0,
            })
            .sum()
    }

    fn spliced(source: &str) -> Template {
        let partials: Vec<(&str, Template)> = PARTIALS
            .iter()
            .map(|(name, text)| {
                (
                    *name,
                    Template::compile(&adapt(text)).unwrap_or_else(|e| panic!("{e}")),
                )
            })
            .collect();
        let mut template = Template::compile(&adapt(source)).unwrap_or_else(|e| panic!("{e}"));
        inline_partials(&mut template, &partials);
        assert_eq!(template.mapping.len(), template.elements.len(), "{source}");
        template
    }

    #[test]
    fn only_plain_calls_of_built_in_partials_are_spliced() {
        for template in TEMPLATES {
            assert_eq!(
                calls_left(&spliced(template.content)),
                0,
                "{}",
                template.slug
            );
        }
        assert_eq!(
            calls_left(&spliced(
                "{{#if x}}{{> sign_off}}{{else}}{{> parent_context}}{{/if}}"
            )),
            0
        );
        for kept in [
            "  {{> parent_context}}",
            "{{> parent_context issue}}",
            "{{> parent_context parent=issue}}",
            "{{> unknown}}",
            "{{#*inline \"x\"}}x{{/inline}}{{> parent_context}}",
        ] {
            assert_eq!(calls_left(&spliced(kept)), 1, "{kept}");
        }
    }
}
