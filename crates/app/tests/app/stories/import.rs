//! Bulk import: rows validated, households kept whole, reruns after a partial import, and the
//! grouping rules of docs/formats.md.

use super::*;

tamwin_store::backend_tests! {
    async fn import_validates_rows_and_keeps_households_whole_on_every_backend(
        (backend, store) in backends
    ) {
        let reg = registry(store.clone());
        reg.prepare().await.unwrap();
        let dir =
            std::env::temp_dir().join(format!("tamwin-import-{}-{backend}", std::process::id()));
        let cfg = tamwin_synth::Config {
            households: 300,
            seed: 3,
            governorate: Some("11".into()),
            ..Default::default()
        };
        let summary = tamwin_synth::generate(&cfg, reg.geo(), &dir, &|_| {}).unwrap();
        // Break five households: a bad national ID, a wrong column count, bad UTF-8, a national ID of
        // spaces (not taken as "no ID"), an emoji in a given name.
        let text = std::fs::read_to_string(dir.join("members.csv")).unwrap();
        let mut lines: Vec<Vec<u8>> = text.lines().map(|l| l.as_bytes().to_vec()).collect();
        let card_of_line = |l: &[u8]| {
            String::from_utf8_lossy(l)
                .split(',')
                .next()
                .unwrap()
                .to_string()
        };
        let broken: Vec<String> = [1usize, 10, 20, 30, 40]
            .iter()
            .map(|i| card_of_line(&lines[*i]))
            .collect();
        let mut l1 = String::from_utf8(lines[1].clone())
            .unwrap()
            .split(',')
            .map(str::to_string)
            .collect::<Vec<_>>();
        l1[2] = "123".into();
        lines[1] = l1.join(",").into_bytes();
        for (i, col, value) in [(30usize, 2usize, "   "), (40, 3, "أحمد😀")] {
            let mut l = String::from_utf8(lines[i].clone())
                .unwrap()
                .split(',')
                .map(str::to_string)
                .collect::<Vec<_>>();
            l[col] = value.into();
            lines[i] = l.join(",").into_bytes();
        }
        lines[10].extend_from_slice(b",extra");
        let pos = lines[20].iter().position(|b| *b == b',').unwrap() + 3;
        lines[20].insert(pos, 0xff);
        let mut out = Vec::new();
        for l in lines {
            out.extend(l);
            out.push(b'\n');
        }
        std::fs::write(dir.join("members.csv"), out).unwrap();
        let report =
            tamwin_app::import::import_dir(&reg, &dir, &dir.join("rejects.csv"), Arc::new(|_| {}))
                .await
                .unwrap();
        let rejected: std::collections::BTreeSet<_> = broken.iter().cloned().collect();
        assert_eq!(
            report.rejected_households as usize,
            rejected.len(),
            "{backend}: {report:?}"
        );
        assert_eq!(report.households as usize, 300 - rejected.len());
        let rejects = std::fs::read_to_string(dir.join("rejects.csv")).unwrap();
        for code in [
            "national_id_malformed",
            "column_count",
            "encoding_invalid",
            "national_id_blank",
            "name_invalid_characters",
        ] {
            assert!(
                rejects.contains(code),
                "{backend}: {code} missing from {rejects}"
            );
        }
        for c in &broken {
            assert!(
                store
                    .household_by_card(&CardNumber::parse(c).unwrap())
                    .await
                    .unwrap()
                    .is_none(),
                "{backend}: half-imported {c}"
            );
        }
        let members_of_broken: u64 = 0;
        assert!(report.members < summary.members + members_of_broken);
        assert_eq!(
            store.count_households().await.unwrap() as u64,
            report.households
        );
        // Importing again: every household is already there and skipped, nothing doubles.
        let again =
            tamwin_app::import::import_dir(&reg, &dir, &dir.join("rejects2.csv"), Arc::new(|_| {}))
                .await
                .unwrap();
        assert_eq!(again.households, 0, "{backend}");
        assert_eq!(again.already_present, report.households, "{backend}");
        assert_eq!(
            store.count_households().await.unwrap() as u64,
            report.households
        );
        // A wrong header stops the import before anything is written.
        std::fs::write(dir.join("households.csv"), "card,gov\n1,2\n").unwrap();
        assert!(
            tamwin_app::import::import_dir(&reg, &dir, &dir.join("rejects3.csv"), Arc::new(|_| {}))
                .await
                .is_err()
        );
        std::fs::remove_dir_all(&dir).ok();
    }
}

/// The rows of `from` whose card (first field) is in `cards`, with the header.
fn rows_of_cards(
    from: &std::path::Path,
    to: &std::path::Path,
    cards: &std::collections::HashSet<String>,
) {
    let text = std::fs::read_to_string(from).unwrap();
    let mut lines = text.lines();
    let mut out = format!("{}\n", lines.next().unwrap());
    for l in lines.filter(|l| cards.contains(l.split(',').next().unwrap())) {
        out.push_str(l);
        out.push('\n');
    }
    std::fs::write(to, out).unwrap();
}

tamwin_store::backend_tests! {
    async fn a_rerun_after_a_partial_import_skips_what_is_there_on_the_bulk_path_on_every_backend(
        (backend, store) in backends
    ) {
        let reg = registry(store.clone());
        reg.prepare().await.unwrap();
        let dir =
            std::env::temp_dir().join(format!("tamwin-resume-{}-{backend}", std::process::id()));
        let part = dir.join("part");
        let cfg = tamwin_synth::Config {
            households: 60,
            seed: 5,
            governorate: Some("11".into()),
            ..Default::default()
        };
        tamwin_synth::generate(&cfg, reg.geo(), &dir, &|_| {}).unwrap();
        // The first 25 households, as an interrupted run leaves them.
        std::fs::create_dir_all(&part).unwrap();
        let households = std::fs::read_to_string(dir.join("households.csv")).unwrap();
        let first: std::collections::HashSet<String> = households
            .lines()
            .skip(1)
            .take(25)
            .map(|l| l.split(',').next().unwrap().to_string())
            .collect();
        for f in ["households.csv", "members.csv", "holds.csv"] {
            if dir.join(f).exists() {
                rows_of_cards(&dir.join(f), &part.join(f), &first);
            }
        }
        if dir.join("agents.csv").exists() {
            std::fs::copy(dir.join("agents.csv"), part.join("agents.csv")).unwrap();
        }
        let run = |d: std::path::PathBuf, rejects: &'static str| {
            let reg = reg.clone();
            async move {
                tamwin_app::import::import_dir(&reg, &d, &d.join(rejects), Arc::new(|_| {}))
                    .await
                    .unwrap()
            }
        };
        let partial = run(part.clone(), "rejects.csv").await;
        assert_eq!(
            (partial.households, partial.already_present),
            (25, 0),
            "{backend}: {partial:?}"
        );
        // The whole file: the 25 are counted present, the other 35 written in one bulk batch.
        let whole = run(dir.clone(), "rejects.csv").await;
        assert_eq!(whole.already_present, 25, "{backend}: {whole:?}");
        assert_eq!(whole.households, 35, "{backend}: {whole:?}");
        assert_eq!(whole.rejected_households, 0, "{backend}: {whole:?}");
        assert_eq!(
            whole.row_by_row_batches, 0,
            "{backend}: fell back to row by row: {whole:?}"
        );
        assert_eq!(store.count_households().await.unwrap(), 60, "{backend}");
        // A card already there with other contents is refused with its code, still on the bulk path.
        let changed = households
            .lines()
            .nth(3)
            .unwrap()
            .split(',')
            .next()
            .unwrap()
            .to_string();
        let edited: String = households
            .lines()
            .map(|l| {
                if l.split(',').next() == Some(changed.as_str()) {
                    let mut f: Vec<&str> = l.split(',').collect();
                    f[3] = "عنوان آخر";
                    format!("{}\n", f.join(","))
                } else {
                    format!("{l}\n")
                }
            })
            .collect();
        std::fs::write(dir.join("households.csv"), edited).unwrap();
        let third = run(dir.clone(), "rejects2.csv").await;
        assert_eq!(
            (
                third.households,
                third.already_present,
                third.rejected_households
            ),
            (0, 59, 1),
            "{backend}: {third:?}"
        );
        assert_eq!(third.row_by_row_batches, 0, "{backend}");
        let rejects = std::fs::read_to_string(dir.join("rejects2.csv")).unwrap();
        assert!(
            rejects.contains(&format!("{changed},card_number_taken")),
            "{backend}: {rejects}"
        );
        assert_eq!(store.count_households().await.unwrap(), 60, "{backend}");
        std::fs::remove_dir_all(&dir).ok();
    }
}

tamwin_store::backend_tests! {
    /// Hand-written files for the grouping rules of docs/formats.md.
    async fn import_grouping_rules_on_every_backend((backend, store) in backends) {
        let reg = registry(store.clone());
        reg.prepare().await.unwrap();
        let dir = std::env::temp_dir().join(format!(
            "tamwin-import-groups-{}-{backend}",
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let c = |serial: u32| CardNumber::new("11", serial).unwrap();
        let (a, b, d, e) = (c(1), c(2), c(3), c(4));
        let (x, y, z) = (c(5), c(6), c(7));
        // x appears twice (its members split between the two rows); y's row has a column too many.
        let hh = format!(
            "card_number,governorate,district,address,agent_code,phone\n{},11,1101,دار 1,,\n{},11,1101,دار 2,,\n{},11,1101,دار 3,,\n{},11,1101,دار 4,,07701234567\n{x},11,1101,دار 5,,\n{z},11,1101,دار 7,,\n{x},11,1101,دار 5,,\n{y},11,1101,دار 6,,,extra\n",
            a.display(),
            b.as_str(),
            d.as_str(),
            e.as_str(),
            x = x.as_str(),
            y = y.as_str(),
            z = z.as_str(),
        );
        let m = |card: &str, no: &str, rel: &str| {
            format!("{card},{no},,علي,حسين,كاظم,,زينب علي حسن,1980-01-01,male,{rel},0,0,0\n")
        };
        let mut members = String::from(
            "card_number,member_no,national_id,given_name,father_name,grandfather_name,family_name,mother_name,birth_date,sex,relation,elderly,sick,disabled\n",
        );
        // a: written with dashes in households.csv, without in members.csv: one card.
        members += &m(a.as_str(), "1", "head");
        members += &m(&a.display(), "2", "son");
        // b: member_no repeated.
        members += &m(b.as_str(), "1", "head");
        members += &m(b.as_str(), "1", "son");
        // d: fine, but one of its rows comes after e's (breaks the grouping rule).
        members += &m(d.as_str(), "1", "head");
        members += &m(e.as_str(), "1", "head");
        members += &m(d.as_str(), "2", "son");
        members += &m(x.as_str(), "1", "head");
        members += &m(z.as_str(), "1", "head");
        members += &m(x.as_str(), "2", "son");
        members += &m(y.as_str(), "1", "head");
        std::fs::write(dir.join("households.csv"), hh).unwrap();
        std::fs::write(dir.join("members.csv"), members).unwrap();
        let report =
            tamwin_app::import::import_dir(&reg, &dir, &dir.join("rejects.csv"), Arc::new(|_| {}))
                .await
                .unwrap();
        let rejects = std::fs::read_to_string(dir.join("rejects.csv")).unwrap();
        assert_eq!(
            reg.household(&a, &Actor::system("t"))
                .await
                .unwrap()
                .members
                .len(),
            2,
            "{backend}: dashed and plain card numbers group"
        );
        assert!(
            reg.household(&b, &Actor::system("t")).await.is_err(),
            "{backend}: repeated member_no"
        );
        assert!(rejects.contains("member_no_invalid"), "{rejects}");
        assert!(
            rejects.contains("rows_not_contiguous"),
            "{backend}: {rejects}"
        );
        assert!(
            reg.household(&d, &Actor::system("t")).await.is_err(),
            "{backend}: a card whose rows are split is not imported at all"
        );
        assert_eq!(
            reg.household(&e, &Actor::system("t"))
                .await
                .unwrap()
                .members
                .len(),
            1
        );
        assert!(
            reg.household(&x, &Actor::system("t")).await.is_err(),
            "{backend}: a card on two household rows is not imported"
        );
        assert!(reg.household(&y, &Actor::system("t")).await.is_err());
        assert_eq!(
            reg.household(&z, &Actor::system("t"))
                .await
                .unwrap()
                .members
                .len(),
            1
        );
        assert!(
            rejects.contains("household_not_imported"),
            "{backend}: {rejects}"
        );
        assert_eq!(report.households, 3, "{backend}: a, e, z");
        assert_eq!(report.rejected_households, 4, "{backend}: b, d, x, y");
        assert_eq!(report.members, 4);
        assert_eq!(store.count_members().await.unwrap(), 4, "{backend}");
        assert_eq!(store.count_households().await.unwrap(), 3, "{backend}");
        assert_eq!(report.rejected_rows as usize, rejects.lines().count() - 1);
        std::fs::remove_dir_all(&dir).ok();
    }
}

tamwin_store::backend_tests! {
    /// The look-up an import batch makes before writing (`national_id_owners`): one statement for a
    /// list of any length, bound as one JSON array; unknown IDs are simply not in the answer.
    async fn the_owners_of_national_ids_are_found_in_one_statement_on_every_backend((backend, store) in backends) {
        let reg = crate::cycles::registry(store.clone(), 31);
        reg.prepare().await.unwrap();
        let (card, _, members) = crate::common::booking::family(&reg, 71_000_007_000, "11", "1101").await;
        let known: Vec<tamwin_domain::NationalId> = members
            .iter()
            .filter_map(|m| m["national_id"].as_str())
            .map(|n| tamwin_domain::NationalId::parse(n).unwrap())
            .collect();
        assert_eq!(known.len(), 3, "{backend}");
        // 2,000 unknown IDs around them: more than the 500 a statement once carried.
        let mut ids: Vec<tamwin_domain::NationalId> = (0..2_000u64)
            .map(|i| tamwin_domain::NationalId::parse(&crate::common::booking::nid(72_000_000_000 + i)).unwrap())
            .collect();
        ids.splice(1_000..1_000, known.iter().cloned());
        let mut owners = store.national_id_owners(&ids).await.unwrap();
        owners.sort_by(|a, b| a.0.as_str().cmp(b.0.as_str()));
        let mut want: Vec<_> = known.iter().map(|n| (n.clone(), card.clone())).collect();
        want.sort_by(|a, b| a.0.as_str().cmp(b.0.as_str()));
        assert_eq!(owners, want, "{backend}");
        assert!(store.national_id_owners(&[]).await.unwrap().is_empty(), "{backend}");
    }
}
