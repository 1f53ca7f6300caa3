use super::*;
use tamwin_domain::{CardNumber, Geography, NationalId};

fn read(dir: &Path, name: &str) -> Vec<Vec<String>> {
    let mut r = csv::Reader::from_path(dir.join(name)).unwrap();
    r.records()
        .map(|x| x.unwrap().iter().map(str::to_string).collect())
        .collect()
}

#[test]
fn deterministic_consistent_and_valid() {
    let geo = Geography::builtin().unwrap();
    let base = std::env::temp_dir().join(format!("tamwin-synth-{}", std::process::id()));
    let cfg = Config {
        households: 3000,
        seed: 7,
        ..Config::default()
    };
    let a = generate(&cfg, &geo, &base.join("a"), &|_| {}).unwrap();
    let b = generate(&cfg, &geo, &base.join("b"), &|_| {}).unwrap();
    assert_eq!(a, b);
    for f in ["agents.csv", "households.csv", "members.csv", "holds.csv"] {
        assert_eq!(
            std::fs::read(base.join("a").join(f)).unwrap(),
            std::fs::read(base.join("b").join(f)).unwrap(),
            "{f}"
        );
    }
    assert!(
        a.twins > 0 && a.namesakes > 0 && a.without_id > 0 && a.holds > 0,
        "{a:?}"
    );
    let members = read(&base.join("a"), "members.csv");
    assert_eq!(members.len() as u64, a.members);
    let mut ids = std::collections::HashSet::new();
    let mut by_card: std::collections::HashMap<String, Vec<Vec<String>>> = Default::default();
    for m in &members {
        if !m[2].is_empty() {
            assert!(NationalId::parse(&m[2]).is_ok(), "{}", m[2]);
            assert!(ids.insert(m[2].clone()), "repeated id {}", m[2]);
        }
        by_card.entry(m[0].clone()).or_default().push(m.clone());
    }
    // Name chains: a son of a male head carries the head's given and father names and family name.
    let mut checked = 0;
    for rows in by_card.values() {
        assert_eq!(rows.iter().filter(|r| r[10] == "head").count(), 1);
        let head = &rows[0];
        if head[9] != "male" {
            continue;
        }
        for c in rows
            .iter()
            .filter(|r| r[10] == "son" || r[10] == "daughter")
        {
            assert_eq!(c[4], head[3]);
            assert_eq!(c[5], head[4]);
            assert_eq!(c[6], head[6]);
            if let Some(spouse) = rows.iter().find(|r| r[10] == "spouse") {
                let chain: Vec<&str> = [&spouse[3], &spouse[4], &spouse[5], &spouse[6]]
                    .into_iter()
                    .map(String::as_str)
                    .filter(|s| !s.is_empty())
                    .collect();
                assert_eq!(c[7], chain.join(" "));
            }
            checked += 1;
        }
    }
    assert!(checked > 1000);
    let households = read(&base.join("a"), "households.csv");
    assert_eq!(households.len() as u64, cfg.households);
    assert!(
        households
            .iter()
            .all(|h| CardNumber::parse(&h[0]).is_ok() && h[2].starts_with(&h[1]))
    );
    std::fs::remove_dir_all(&base).ok();
}

#[test]
fn one_governorate_only() {
    let geo = Geography::builtin().unwrap();
    let dir = std::env::temp_dir().join(format!("tamwin-synth-k-{}", std::process::id()));
    let cfg = Config {
        households: 500,
        governorate: Some("11".into()),
        ..Config::default()
    };
    generate(&cfg, &geo, &dir, &|_| {}).unwrap();
    assert!(read(&dir, "households.csv").iter().all(|h| h[1] == "11"));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn different_seeds_give_different_national_ids() {
    let geo = Geography::builtin().unwrap();
    let base = std::env::temp_dir().join(format!("tamwin-synth-seeds-{}", std::process::id()));
    let ids = |seed: u64| {
        let dir = base.join(seed.to_string());
        generate(
            &Config {
                households: 2000,
                seed,
                ..Config::default()
            },
            &geo,
            &dir,
            &|_| {},
        )
        .unwrap();
        read(&dir, "members.csv")
            .into_iter()
            .map(|r| r[2].clone())
            .filter(|s| !s.is_empty())
            .collect::<std::collections::HashSet<_>>()
    };
    let (a, b) = (ids(1), ids(2));
    assert!(a.len() > 5000 && b.len() > 5000);
    assert_eq!(a.intersection(&b).count(), 0);
    std::fs::remove_dir_all(&base).ok();
}
