//! The five default templates and the partials every template can use
//! (docs/engine-api.md#rendering, and Loop's `sign_off`), with their fixed ids: the
//! original's texts, embedded verbatim from `defaults/*.hbs` (no trailing newline: it
//! matters for whitespace).

/// A default template and its first version.
#[derive(Debug, Clone, Copy)]
pub struct DefaultTemplate {
    /// Template id.
    pub id: &'static str,
    /// Slug.
    pub slug: &'static str,
    /// Name.
    pub name: &'static str,
    /// Description.
    pub description: &'static str,
    /// The issue type its conditions select.
    pub issue_type: &'static str,
    /// The id of its version 1.
    pub version_id: &'static str,
    /// The Handlebars text of version 1.
    pub content: &'static str,
}

/// The default templates, in the order they are created.
pub const TEMPLATES: [DefaultTemplate; 5] = [
    DefaultTemplate {
        id: "tpl_default_signal_triage",
        slug: "signal-triage",
        name: "Signal Triage",
        description: "Default template for triaging incoming signals. Analyzes the signal, determines if actionable, and creates a hypothesis if warranted.",
        issue_type: "signal",
        version_id: "ver_default_signal_triage_v1",
        content: include_str!("defaults/signal-triage.hbs"),
    },
    DefaultTemplate {
        id: "tpl_default_hypothesis_planning",
        slug: "hypothesis-planning",
        name: "Hypothesis Planning",
        description: "Default template for planning hypothesis validation. Decomposes the hypothesis into actionable tasks.",
        issue_type: "hypothesis",
        version_id: "ver_default_hypothesis_planning_v1",
        content: include_str!("defaults/hypothesis-planning.hbs"),
    },
    DefaultTemplate {
        id: "tpl_default_task_execution",
        slug: "task-execution",
        name: "Task Execution",
        description: "Default template for executing concrete tasks. Provides implementation guidance and reporting instructions.",
        issue_type: "task",
        version_id: "ver_default_task_execution_v1",
        content: include_str!("defaults/task-execution.hbs"),
    },
    DefaultTemplate {
        id: "tpl_default_plan_decomposition",
        slug: "plan-decomposition",
        name: "Plan Decomposition",
        description: "Default template for decomposing plans into tasks. Breaks down a plan into ordered, actionable work items.",
        issue_type: "plan",
        version_id: "ver_default_plan_decomposition_v1",
        content: include_str!("defaults/plan-decomposition.hbs"),
    },
    DefaultTemplate {
        id: "tpl_default_monitor_check",
        slug: "monitor-check",
        name: "Monitor Check",
        description: "Default template for monitoring checks. Reviews metrics and creates signals if thresholds are breached.",
        issue_type: "monitor",
        version_id: "ver_default_monitor_check_v1",
        content: include_str!("defaults/monitor-check.hbs"),
    },
];

/// The partials, by the name templates call them with (`{{> name}}`).
///
/// `review_instructions`, which every default template ends with, is the original's
/// text followed by `{{> sign_off}}`: when the issue's project requires a person's
/// sign-off (see [`crate::domain::sign_off`]), the prompt then ends by telling the agent
/// to request review instead of marking the issue done, and otherwise renders exactly as
/// before. Partials live in the binary, not the database, so every database (new or
/// migrated) gets this without a new template version, and templates people edited keep
/// their text: those that still call `review_instructions` get it, and any template
/// can call `{{> sign_off}}` itself.
pub const PARTIALS: [(&str, &str); 6] = [
    ("api_reference", include_str!("defaults/api_reference.hbs")),
    (
        "review_instructions",
        concat!(
            include_str!("defaults/review_instructions.hbs"),
            "{{> sign_off}}"
        ),
    ),
    ("sign_off", include_str!("defaults/sign_off.hbs")),
    (
        "parent_context",
        include_str!("defaults/parent_context.hbs"),
    ),
    (
        "sibling_context",
        include_str!("defaults/sibling_context.hbs"),
    ),
    (
        "project_and_goal_context",
        include_str!("defaults/project_and_goal_context.hbs"),
    ),
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::prompt::render::Renderer;
    use serde_json::json;

    #[test]
    fn texts_are_verbatim_and_compile() {
        let renderer = Renderer::new();
        for template in TEMPLATES {
            assert!(!template.content.ends_with('\n'), "{}", template.slug);
            assert!(!template.content.contains("{{{"), "{}", template.slug);
            let rendered = renderer.render(template.slug, template.content, json!({}));
            assert!(rendered.is_ok(), "{}: {rendered:?}", template.slug);
        }
        for (name, text) in PARTIALS {
            assert!(!text.ends_with('\n'), "{name}");
            // A partial that did not compile is not registered, so calling it fails.
            let rendered = renderer.render(name, &format!("{{{{> {name}}}}}"), json!({}));
            assert!(rendered.is_ok(), "{name}: {rendered:?}");
        }
    }
}
