//! Dispatch: an agent claims the best unblocked `todo` issue, with the prompt its
//! template renders. The claim, the choice of template, the count of its use and the
//! record of which version the work is done with (what a person's sign-off later
//! scores) commit in one short transaction; the prompt is rendered afterwards, outside the writer lock
//! (so claims queue only behind each other's database work), and a prompt that cannot
//! be rendered, or whose rendering panics, undoes the claim and the use in a second
//! transaction ([`render_or_release`]).

use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};

use crate::app::Ctx;
use crate::error::ApiError;
use crate::service::prompting::{self, Callback, Choice};
use crate::store::dispatch::{self, Claim, Claimed};
use crate::store::issues;
use crate::store::templates::{self, Template, Version};

/// A claimed issue and, when a template applies, its prompt.
pub struct Dispatched {
    /// The issue as claimed.
    pub claimed: Claimed,
    /// The template, the version and the prompt it rendered.
    pub prompt: Option<(Template, Version, String)>,
}

/// Claims the best candidate (of project `project_id`, when given) with `claim`'s lease;
/// `None` when there is nothing to do.
pub fn next(
    ctx: &mut Ctx<'_>,
    project_id: Option<&str>,
    claim: Claim<'_>,
) -> Result<Option<Dispatched>, ApiError> {
    let claimed = ctx.write(|tx, now| {
        let candidate = match dispatch::next_candidate(tx, project_id, now)? {
            Some(number) => issues::find_by_numbers(tx, &[number])?.pop(),
            None => None,
        };
        let Some(before) = candidate else {
            return Ok(None);
        };
        // The template follows from what the claim leaves alone (type, labels, project…),
        // so it is chosen first and the claim records its version in the same update.
        let choice = match prompting::choose(tx, &before, false)? {
            Choice::Chosen(chosen) => {
                templates::add_usage(tx, &chosen.1.id, 1)?;
                Some(*chosen)
            }
            Choice::NoTemplate | Choice::NoVersion => None,
        };
        let version_id = choice.as_ref().map(|(_, version)| version.id.as_str());
        let claimed = dispatch::claim(tx, before, claim, version_id, now)?;
        Ok(Some((claimed, choice)))
    })?;
    let Some((claimed, choice)) = claimed else {
        return Ok(None);
    };
    ctx.app().metrics.claimed();
    let prompt = match choice {
        None => None,
        Some((template, version)) => {
            let text = render_or_release(ctx, &claimed, &version.id, |ctx| {
                let callback = Callback {
                    url: ctx.config().loop_url.as_deref().unwrap_or_default(),
                    token: ctx.bearer(),
                };
                // One snapshot for the prompt's dozen reads: consistent with each other,
                // and (while claims commit all the time) one refill of the connection's
                // page cache instead of one per read.
                ctx.read(|db| {
                    prompting::render(
                        db,
                        ctx.renderer(),
                        &claimed.issue,
                        &template,
                        &version,
                        &callback,
                    )
                })
            })?;
            Some((template, version, text))
        }
    };
    Ok(Some(Dispatched { claimed, prompt }))
}

/// Runs `render` for a claim already committed, and releases the claim (the issue gets
/// back what it had, the version's use is uncounted) unless a prompt came out: when
/// `render` fails, whose error is then the answer, and when it panics, whose panic then
/// carries on to the pipeline (500) once the claim is released.
///
/// Crash window: the claim and its release are two transactions, so that rendering
/// stays outside the writer lock. If the process dies between them (or the release
/// itself fails), the issue stays `in_progress` with its lease, and the maintenance
/// round returns it to `todo` when the lease expires (docs/decisions.md#claim-leases); with leases turned
/// off it stays claimed until someone moves it.
fn render_or_release(
    ctx: &mut Ctx<'_>,
    claimed: &Claimed,
    version_id: &str,
    render: impl FnOnce(&Ctx<'_>) -> Result<String, ApiError>,
) -> Result<String, ApiError> {
    let release = |ctx: &mut Ctx<'_>| {
        ctx.write(|tx, _| {
            dispatch::undo_claim(tx, claimed)?;
            Ok(templates::add_usage(tx, version_id, -1)?)
        })
    };
    match catch_unwind(AssertUnwindSafe(|| render(ctx))) {
        Ok(Ok(prompt)) => Ok(prompt),
        Ok(Err(error)) => {
            release(ctx)?;
            Err(error)
        }
        Err(panic) => {
            if let Err(error) = release(ctx) {
                eprintln!(
                    "warning: rendering the prompt for issue {} panicked and its claim could not be released \
                     (its lease will): {error:?}",
                    claimed.issue.id
                );
            }
            resume_unwind(panic)
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::sync::Arc;

    use super::*;
    use crate::app::App;
    use crate::clock::{SystemClock, Timestamp};
    use crate::config::Config;
    use crate::domain::enums::{IssueStatus, IssueType};
    use crate::store::issues::{self, NewIssue};

    const VERSION: &str = "ver_default_task_execution_v1";

    /// A migrated in-memory database with one `todo` task, claimed with its use counted
    /// as `/next` does.
    fn claimed(app: &App, conn: &mut rusqlite::Connection) -> Claimed {
        crate::store::migrate(conn, Timestamp::from_unix_millis(0))
            .unwrap_or_else(|e| panic!("{e}"));
        let mut ctx = Ctx::new(app, conn);
        ctx.write(|tx, now| {
            let new = NewIssue::new("work".to_owned(), IssueType::Task, IssueStatus::Todo, 1);
            let issue = issues::insert(tx, &new, now)?;
            let claim = Claim {
                lease_seconds: Some(600),
                agent_session_id: None,
            };
            let claimed = dispatch::claim(tx, issue, claim, Some(VERSION), now)?;
            templates::add_usage(tx, VERSION, 1)?;
            Ok(claimed)
        })
        .unwrap_or_else(|e| panic!("{e:?}"))
    }

    /// Shared state over an in-memory database, and a connection to it.
    fn app_and_connection() -> (App, rusqlite::Connection) {
        let app = App::new(
            Config::new(":memory:"),
            Arc::new(SystemClock),
            crate::app::Outbox::channel().0,
        );
        let conn = crate::store::open(Path::new(":memory:")).unwrap_or_else(|e| panic!("{e}"));
        (app, conn)
    }

    /// The issue's status and claim time, and the version's use count, as stored.
    fn stored(ctx: &Ctx<'_>, issue_id: &str) -> (IssueStatus, Option<String>, i64) {
        let issue = issues::find_any(ctx.db(), issue_id)
            .ok()
            .flatten()
            .unwrap_or_else(|| panic!("issue {issue_id}"));
        let version = templates::find_version(ctx.db(), VERSION)
            .ok()
            .flatten()
            .unwrap_or_else(|| panic!("version {VERSION}"));
        (issue.status, issue.claimed_at, version.usage_count)
    }

    #[test]
    fn a_panic_while_rendering_still_releases_the_claim() {
        let (app, mut conn) = app_and_connection();
        let claimed = claimed(&app, &mut conn);
        let mut ctx = Ctx::new(&app, &mut conn);
        assert_eq!(stored(&ctx, &claimed.issue.id).0, IssueStatus::InProgress);
        let panicked = catch_unwind(AssertUnwindSafe(|| {
            render_or_release(&mut ctx, &claimed, VERSION, |_| panic!("renderer bug"))
        }));
        let message = panicked
            .err()
            .and_then(|p| p.downcast_ref::<&str>().map(|m| (*m).to_owned()));
        assert_eq!(
            message.as_deref(),
            Some("renderer bug"),
            "the panic carries on"
        );
        assert_eq!(
            stored(&ctx, &claimed.issue.id),
            (IssueStatus::Todo, None, 0)
        );
    }

    #[test]
    fn a_failed_render_releases_the_claim_and_a_good_one_keeps_it() {
        let (app, mut conn) = app_and_connection();
        let claimed = claimed(&app, &mut conn);
        let mut ctx = Ctx::new(&app, &mut conn);
        let kept = render_or_release(&mut ctx, &claimed, VERSION, |_| Ok("prompt".to_owned()));
        assert_eq!(kept.ok().as_deref(), Some("prompt"));
        assert_eq!(stored(&ctx, &claimed.issue.id).0, IssueStatus::InProgress);
        let failed = render_or_release(&mut ctx, &claimed, VERSION, |_| {
            Err(ApiError::TemplateError("cannot render".to_owned()))
        });
        assert!(matches!(failed, Err(ApiError::TemplateError(_))));
        assert_eq!(
            stored(&ctx, &claimed.issue.id),
            (IssueStatus::Todo, None, 0)
        );
    }
}
