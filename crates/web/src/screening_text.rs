//! The words of a screening run and of a finding's notes, from the catalogs: the run's status and
//! phase, its summary (recorded in English for the audit log and the API, read back here into its
//! figures) and the engine's notes (`no_national_id`, `best_registry_match=0.12`).

use crate::i18n::Tr;

fn fill(text: &str, values: &[(&str, &str)]) -> String {
    values.iter().fold(text.to_string(), |t, (k, v)| {
        t.replace(&format!("{{{k}}}"), v)
    })
}

/// The catalog's text of `key`, or `None` when no catalog has it.
fn known(tr: Tr, key: &str) -> Option<&'static str> {
    tr.get(key)
}

/// A run's status (`running`, `done`, `failed`).
pub fn run_status(tr: Tr, status: &str) -> String {
    known(tr, &format!("run_{status}")).map_or_else(|| status.to_string(), str::to_string)
}

/// A run's phase: `save findings`, or a rule's training or scoring (`train given+father+date`), the
/// rule's name kept as the engine names it.
pub fn phase(tr: Tr, phase: &str) -> String {
    for (prefix, key) in [("train ", "phase_train"), ("score ", "phase_score")] {
        if let Some(rule) = phase.strip_prefix(prefix) {
            return format!("{}: \u{2068}{rule}\u{2069}", tr.t(key));
        }
    }
    let key = format!("phase_{}", phase.replace(' ', "_"));
    known(tr, &key).map_or_else(|| phase.to_string(), str::to_string)
}

/// One of the engine's notes on a finding: `name` or `name=value` (or `name:detail`).
pub fn note(tr: Tr, part: &str) -> String {
    let (name, value) = part
        .split_once('=')
        .or_else(|| part.split_once(':'))
        .unwrap_or((part, ""));
    match known(tr, &format!("note_{name}")) {
        Some(t) => fill(t, &[("v", value)]),
        None => part.to_string(),
    }
}

fn number(s: &str) -> Option<&str> {
    let s = s.trim();
    (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())).then_some(s)
}

/// The summary of a finished run in the page's language. It is recorded as
/// `N members, N civil-registry persons (N deceased, N abroad); N findings, N new; KIND DECISION: N; …;
/// ENGINE: N pairs compared, N dropped in oversized blocks`; a part that does not read so is left out
/// on a page not in English (English pages show the record as it is).
pub fn summary(tr: Tr, text: &str) -> String {
    if tr.lang.code() == "en" || text.is_empty() {
        return text.to_string();
    }
    let mut out = vec![];
    for part in text.split("; ") {
        if let Some(s) = totals(tr, part) {
            out.push(s);
        } else if let Some((findings, new)) = part
            .strip_suffix(" new")
            .and_then(|r| r.split_once(" findings, "))
            && let (Some(f), Some(n)) = (number(findings), number(new))
        {
            out.push(fill(
                tr.t("summary_findings"),
                &[("findings", f), ("new", n)],
            ));
        } else if let Some((engine, rest)) = part.split_once(": ")
            && let Some((compared, dropped)) = rest
                .strip_suffix(" dropped in oversized blocks")
                .and_then(|r| r.split_once(" pairs compared, "))
            && let (Some(c), Some(d)) = (number(compared), number(dropped))
        {
            let engine = known(tr, &format!("engine_{engine}")).unwrap_or(engine);
            out.push(fill(
                tr.t("summary_engine"),
                &[("engine", engine), ("compared", c), ("dropped", d)],
            ));
        } else if let Some((head, n)) = part.split_once(": ")
            && let Some(n) = number(n)
            && let Some((kind, decision)) = head.split_once(' ')
            && let (Some(k), Some(d)) = (
                known(tr, &format!("kind_{kind}")),
                known(tr, &format!("decision_{decision}")),
            )
        {
            out.push(fill(
                tr.t("summary_kind"),
                &[("kind", k), ("decision", d), ("n", n)],
            ));
        }
    }
    out.join(&format!("{} ", tr.t("list_sep")))
}

/// `N members, N civil-registry persons (N deceased, N abroad)`.
fn totals(tr: Tr, part: &str) -> Option<String> {
    let (members, rest) = part.split_once(" members, ")?;
    let (persons, rest) = rest.split_once(" civil-registry persons (")?;
    let (deceased, rest) = rest.split_once(" deceased, ")?;
    let (abroad, _) = rest.split_once(" abroad)")?;
    Some(fill(
        tr.t("summary_totals"),
        &[
            ("members", number(members)?),
            ("persons", number(persons)?),
            ("deceased", number(deceased)?),
            ("abroad", number(abroad)?),
        ],
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    #[test]
    fn a_runs_words_are_the_catalogs() {
        let ar = Tr {
            lang: Lang::PRIMARY,
        };
        let text = "3000 members, 9000 civil-registry persons (39 deceased, 78 abroad); 656 findings, 656 new; abroad hold: 78; fictitious review: 4; duplicates: 14 pairs compared, 0 dropped in oversized blocks";
        let s = summary(ar, text);
        assert!(!s.bytes().any(|b| b.is_ascii_alphabetic()), "{s}");
        assert!(
            s.contains("3000") && s.contains("656") && s.contains("14"),
            "{s}"
        );
        assert_eq!(run_status(ar, "done"), ar.t("run_done"));
        assert_eq!(phase(ar, "save findings"), ar.t("phase_save_findings"));
        assert!(note(ar, "best_registry_match=0.0000").contains("0.0000"));
        assert_eq!(note(ar, "no_national_id"), ar.t("note_no_national_id"));
    }
}
