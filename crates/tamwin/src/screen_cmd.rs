//! `tamwin screen`: the screening on files (docs/screening.md, docs/formats.md). Loads the people and
//! whichever of deaths, exits and civil registry are given, runs the engine with a progress bar per
//! phase, and writes one row per finding. The results file appears whole or not at all.

use crate::screen_files::{FileKind, Ids, InputError, Loaded, load, load_collections, size};
use indicatif::{ProgressBar, ProgressStyle};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Instant;
use tamwin_matching::screen::{Inputs, Kind, Models, Screening, days, screen};
use tamwin_matching::silent::{self, Collections};
use tamwin_matching::{BirthDate, Model, Progress, Settings, Vocab};

type Error = Box<dyn std::error::Error + Send + Sync>;

#[derive(clap::Args)]
pub struct ScreenArgs {
    /// Ration-card members: record_id, household_id, national_id, names, birth_date, sex, governorate.
    #[arg(long)]
    pub people: PathBuf,
    /// Death records: the person columns and death_date.
    #[arg(long)]
    pub deaths: Option<PathBuf>,
    /// Exit records: record_id, national_id, full_name (Arabic or Latin), birth_date, exit_date, return_date.
    #[arg(long)]
    pub exits: Option<PathBuf>,
    /// The civil registry (person columns): members matching nobody in it are reported as fictitious.
    #[arg(long)]
    pub registry: Option<PathBuf>,
    /// Collections for silent cards: household_id, cycle (YYYY-MM), one row per collection.
    #[arg(long)]
    pub collections: Option<PathBuf>,
    /// A card is silent after this many completed cycles with deliveries and no collection of its own.
    #[arg(long, default_value_t = 3)]
    pub silent_cycles: usize,
    /// Where the findings go (CSV).
    #[arg(long, required_unless_present = "normalise_to")]
    pub out: Option<PathBuf>,
    /// Instead of screening, write the keyed names (Buckwalter ASCII, one byte a letter) for other tools.
    #[arg(long)]
    pub normalise_to: Option<PathBuf>,
    /// Probability at or above which a finding becomes a hold pending review.
    #[arg(long, default_value_t = 0.99)]
    pub hold: f64,
    /// Probability at or above which a finding is a review item.
    #[arg(long, default_value_t = 0.5)]
    pub review: f64,
    /// Blocks with more candidate pairs than this are dropped and reported.
    #[arg(long, default_value_t = 100_000)]
    pub max_block_pairs: u64,
    /// An exit without return counts after this many days away.
    #[arg(long, default_value_t = 183)]
    pub abroad_days: i32,
    /// The day absences are counted to (YYYY-MM-DD); today by default.
    #[arg(long)]
    pub as_of: Option<String>,
    #[arg(long)]
    pub threads: Option<usize>,
    /// Read the models (people.model, deaths.model, exits.model, registry.model) from this directory
    /// instead of estimating them.
    #[arg(long)]
    pub models: Option<PathBuf>,
    /// Write the models used into this directory.
    #[arg(long)]
    pub save_models: Option<PathBuf>,
}

/// Progress bars, one per phase, and the time each phase took.
struct Bars {
    bar: Mutex<Option<(ProgressBar, String, Instant)>>,
    times: Mutex<Vec<(String, f64)>>,
}

impl Bars {
    fn new() -> Bars {
        Bars {
            bar: Mutex::new(None),
            times: Mutex::new(Vec::new()),
        }
    }

    fn finish(&self) {
        if let Ok(mut b) = self.bar.lock()
            && let Some((pb, name, start)) = b.take()
        {
            pb.finish_and_clear();
            if let Ok(mut t) = self.times.lock() {
                t.push((name, start.elapsed().as_secs_f64()));
            }
        }
    }
}

impl Progress for Bars {
    fn phase(&self, name: &str, total: u64) {
        self.finish();
        let pb = ProgressBar::new(total);
        if let Ok(style) = ProgressStyle::with_template(
            "{msg:40} [{elapsed_precise}] {wide_bar} {pos}/{len} ({per_sec})",
        ) {
            pb.set_style(style);
        }
        pb.set_message(name.to_string());
        if let Ok(mut b) = self.bar.lock() {
            *b = Some((pb, name.to_string(), Instant::now()));
        }
    }

    fn advance(&self, done: u64) {
        if let Ok(b) = self.bar.lock()
            && let Some((pb, _, _)) = b.as_ref()
        {
            pb.set_position(done);
        }
    }
}

fn load_with_bar(
    bars: &Bars,
    path: &Path,
    kind: FileKind,
    vocab: &mut Vocab,
    what: &str,
) -> Result<Loaded, InputError> {
    bars.phase(&format!("load {what}"), size(path));
    let l = load(path, kind, vocab, &|b| bars.advance(b));
    bars.finish();
    l
}

pub fn run(a: ScreenArgs) -> Result<(), Error> {
    if !(0.0 < a.review && a.review <= a.hold && a.hold < 1.0) {
        return Err("thresholds must satisfy 0 < --review <= --hold < 1 / يجب أن تكون العتبات بين 0 و1 وعتبة المراجعة لا تتجاوز عتبة الإيقاف".into());
    }
    let as_of_text = a
        .as_of
        .clone()
        .unwrap_or_else(|| jiff::Zoned::now().date().to_string());
    let as_of = match BirthDate::parse(&as_of_text) {
        Some(BirthDate::Full { year, month, .. }) => (year.max(0) as u16, month.max(1) as u8),
        _ => {
            return Err(
                "--as-of must be a date YYYY-MM-DD / يجب أن يكون التاريخ بصيغة YYYY-MM-DD".into(),
            );
        }
    };
    let today = BirthDate::parse(&as_of_text).and_then(days).unwrap_or(0);
    let started = Instant::now();
    let bars = Bars::new();
    let mut vocab = Vocab::new();
    let mut people = load_with_bar(&bars, &a.people, FileKind::People, &mut vocab, "people")?;
    // The household numbers are needed only to read collections; a whole country's are large.
    let numbers = std::mem::take(&mut people.household_numbers);
    let collections = match &a.collections {
        Some(path) => {
            bars.phase("load collections", 0);
            let read = load_collections(path, &numbers)?;
            bars.finish();
            let c = Collections {
                rows: read.rows,
                current: silent::cycle(as_of.0, as_of.1),
                cycles: a.silent_cycles,
            };
            if let Err(e) = c.window() {
                return Err(InputError {
                    file: path.display().to_string(),
                    code: "screen_collections_too_few_cycles",
                    en: format!(
                        "{} completed cycles with collections before the screening day; {} are needed to call a card silent",
                        e.found, e.needed
                    ),
                    ar: format!(
                        "في الملف {} دورات مكتملة فيها استلام قبل يوم التدقيق، ويلزم {} للحكم بأن البطاقة صامتة",
                        e.found, e.needed
                    ),
                }
                .into());
            }
            Some((c, read.unknown_households))
        }
        None => None,
    };
    drop(numbers);
    let load_opt = |path: &Option<PathBuf>, kind, what, vocab: &mut Vocab| {
        path.as_ref()
            .map(|p| load_with_bar(&bars, p, kind, vocab, what))
            .transpose()
    };
    let deaths = load_opt(&a.deaths, FileKind::Deaths, "deaths", &mut vocab)?;
    let exits = load_opt(&a.exits, FileKind::Exits, "exits", &mut vocab)?;
    let registry = load_opt(&a.registry, FileKind::Registry, "registry", &mut vocab)?;
    if let Some(dir) = &a.normalise_to {
        normalise(&vocab, dir, &people, deaths.as_ref(), exits.as_ref())?;
        println!("wrote the keyed files to {}", dir.display());
        return Ok(());
    }
    let out = a.out.clone().ok_or("--out is required")?;
    let mut models = Models::default();
    if let Some(dir) = &a.models {
        let read = |name: &str| -> Result<Option<Model>, Error> {
            let p = dir.join(format!("{name}.model"));
            if !p.exists() {
                return Ok(None);
            }
            Ok(Some(
                Model::from_text(&std::fs::read_to_string(&p)?)
                    .map_err(|e| format!("{}: {e}", p.display()))?,
            ))
        };
        models = Models {
            people: read("people")?,
            deaths: read("deaths")?,
            exits: read("exits")?,
            registry: read("registry")?,
        };
    }
    let settings = Settings {
        threads: a.threads.unwrap_or(Settings::default().threads),
        max_block_pairs: a.max_block_pairs,
        review: a.review,
        hold: a.hold,
        ..Settings::default()
    };
    let inputs = Inputs {
        vocab: &vocab,
        people: &people.recs,
        closed: &people.closed,
        deaths: deaths.as_ref().map(|d| d.recs.as_slice()),
        exits: exits
            .as_ref()
            .map(|x| (x.recs.as_slice(), x.trips.as_slice())),
        registry: registry.as_ref().map(|r| r.recs.as_slice()),
        collections: collections.as_ref().map(|c| &c.0),
        today,
        abroad_days: a.abroad_days,
    };
    let result = screen(&inputs, &models, &settings, &bars);
    bars.phase("write results", result.findings.len() as u64);
    write_results(&out, &result, &people, deaths.as_ref(), exits.as_ref())?;
    let warnings = write_warnings(
        &out,
        [
            ("people", Some(&people)),
            ("deaths", deaths.as_ref()),
            ("exits", exits.as_ref()),
            ("registry", registry.as_ref()),
        ],
    )?;
    bars.finish();
    if let Some(dir) = &a.save_models {
        std::fs::create_dir_all(dir)?;
        for r in &result.reports {
            let name = match r.name {
                "duplicates" => "people",
                other => other,
            };
            std::fs::write(dir.join(format!("{name}.model")), r.model.to_text())?;
        }
    }
    print_report(&bars, &result, &people, warnings, started, &out);
    if let Some((c, unknown)) = &collections {
        println!(
            "collections: {} rows read; silent after {} cycles (window from {}){}",
            c.rows.len(),
            c.cycles,
            c.window().map(silent::cycle_text).unwrap_or_default(),
            if *unknown > 0 {
                format!("; {unknown} rows name households not on the people file and were ignored")
            } else {
                String::new()
            }
        );
    }
    Ok(())
}

fn write_results(
    out: &Path,
    s: &Screening,
    people: &Loaded,
    deaths: Option<&Loaded>,
    exits: Option<&Loaded>,
) -> Result<(), Error> {
    let tmp = out.with_extension("csv.partial");
    {
        let mut w = csv::Writer::from_writer(std::io::BufWriter::new(std::fs::File::create(&tmp)?));
        w.write_record([
            "kind",
            "record_id",
            "other_id",
            "score",
            "decision",
            "explanation",
            "cluster",
        ])?;
        let empty = Ids::default();
        for f in &s.findings {
            let others = match f.kind {
                Kind::SameId | Kind::Duplicate => &people.ids,
                Kind::Deceased => deaths.map_or(&empty, |d| &d.ids),
                Kind::Abroad => exits.map_or(&empty, |x| &x.ids),
                Kind::Fictitious | Kind::Silent => &empty,
            };
            w.write_record([
                f.kind.code(),
                people.ids.get(f.a),
                f.b.map_or("", |b| others.get(b)),
                &format!("{:.6}", f.score),
                f.decision.code(),
                &f.explanation,
                f.cluster.map_or("", |c| people.ids.get(c)),
            ])?;
        }
        w.flush()?;
    }
    std::fs::rename(&tmp, out)?;
    Ok(())
}

fn write_warnings(out: &Path, files: [(&str, Option<&Loaded>); 4]) -> Result<usize, Error> {
    let path = out.with_extension("warnings.csv");
    let total: usize = files
        .iter()
        .filter_map(|(_, l)| l.map(|l| l.warnings.len()))
        .sum();
    if total == 0 {
        let _ = std::fs::remove_file(&path);
        return Ok(0);
    }
    let mut w = csv::Writer::from_path(&path)?;
    w.write_record(["file", "line", "record_id", "field", "code"])?;
    for (name, l) in files {
        for x in l.iter().flat_map(|l| &l.warnings) {
            w.write_record([name, &x.line.to_string(), &x.record_id, x.field, x.code])?;
        }
    }
    w.flush()?;
    Ok(total)
}

fn print_report(
    bars: &Bars,
    s: &Screening,
    people: &Loaded,
    warnings: usize,
    started: Instant,
    out: &Path,
) {
    println!(
        "screened {} members of {} households in {:.1} s; {} findings in {}",
        people.recs.len(),
        people.households,
        started.elapsed().as_secs_f64(),
        s.findings.len(),
        out.display()
    );
    if warnings > 0 {
        println!(
            "{warnings} fields could not be read and were left missing: {}",
            out.with_extension("warnings.csv").display()
        );
    }
    println!("phase times:");
    for (name, secs) in bars.times.lock().map(|t| t.clone()).unwrap_or_default() {
        println!("  {name:42} {secs:8.2} s");
    }
    for r in &s.reports {
        println!(
            "{}: {} candidate pairs compared, {} kept (review or above); prior {:.3e}",
            r.name, r.compared, r.kept, r.model.lambda
        );
        let l = &r.lineage;
        if l.pairs > 0 {
            println!(
                "  lineage: {} of {} pairs share father, grandfather and mother: capped at {:.1} bits",
                l.agreeing, l.pairs, l.cap
            );
        } else {
            println!(
                "  lineage: not measurable here, capped at {:.1} bits",
                l.cap
            );
        }
        if let Some(s) = &l.siblings {
            let rate = |i: usize| s.u[i][0] * 100.0;
            println!(
                "  siblings at home: {} pairs; same given name {:.2}%, same birth date {:.2}%, same sex {:.1}%",
                s.pairs,
                rate(0),
                rate(1),
                rate(2)
            );
        }
        for (rule, pairs, lambda) in &r.training {
            println!(
                "  EM on {rule:34} {pairs:>12} pairs, {:.1}% matches",
                lambda * 100.0
            );
        }
        for st in &r.rules {
            print!(
                "  rule {:34} {:>9} blocks {:>12} pairs",
                st.rule, st.blocks, st.pairs
            );
            if st.dropped_blocks > 0 {
                print!(
                    "; DROPPED {} blocks, {} pairs (largest {} pairs: {})",
                    st.dropped_blocks,
                    st.dropped_pairs,
                    st.largest_dropped.as_ref().map_or(0, |x| x.0),
                    st.largest_dropped.as_ref().map_or("", |x| x.1.as_str())
                );
            }
            println!();
        }
    }
    for (id, n) in &s.oversized_id_groups {
        println!("national ID {id} is on {n} members: too many to pair, listed for review");
    }
    let mut counts: std::collections::BTreeMap<(&str, &str), usize> = Default::default();
    for f in &s.findings {
        *counts
            .entry((f.kind.code(), f.decision.code()))
            .or_default() += 1;
    }
    for ((k, d), n) in counts {
        println!("  {k:12} {d:7} {n}");
    }
}

/// Buckwalter's one-byte-a-letter ASCII for the Arabic letters a key can hold.
fn buckwalter(key: &str) -> String {
    key.chars()
        .map(|c| match c {
            'ا' => 'A',
            'ب' => 'b',
            'ت' => 't',
            'ث' => 'v',
            'ج' => 'j',
            'ح' => 'H',
            'خ' => 'x',
            'د' => 'd',
            'ذ' => '*',
            'ر' => 'r',
            'ز' => 'z',
            'س' => 's',
            'ش' => '$',
            'ص' => 'S',
            'ض' => 'D',
            'ط' => 'T',
            'ظ' => 'Z',
            'ع' => 'E',
            'غ' => 'g',
            'ف' => 'f',
            'ق' => 'q',
            'ك' => 'k',
            'ل' => 'l',
            'م' => 'm',
            'ن' => 'n',
            'ه' => 'h',
            'و' => 'w',
            'ي' => 'y',
            'ء' => '\'',
            'چ' => 'J',
            'پ' => 'P',
            'گ' => 'G',
            ' ' => ' ',
            c if c.is_ascii_alphanumeric() => c,
            _ => '?',
        })
        .collect()
}

/// Writes the keyed inputs for a peer tool (bench/splink): names as Buckwalter keys.
fn normalise(
    vocab: &Vocab,
    dir: &Path,
    people: &Loaded,
    deaths: Option<&Loaded>,
    exits: Option<&Loaded>,
) -> Result<(), Error> {
    std::fs::create_dir_all(dir)?;
    let name = |id: u32| buckwalter(vocab.key(id));
    let birth = |r: &tamwin_matching::Rec| match r.birth_date() {
        Some(BirthDate::Full { year, month, day }) => {
            (format!("{year:04}-{month:02}-{day:02}"), year.to_string())
        }
        Some(BirthDate::Year(y)) => (String::new(), y.to_string()),
        None => (String::new(), String::new()),
    };
    let nid = |n: u64| if n == 0 { String::new() } else { n.to_string() };
    let person_cols = [
        "record_id",
        "household_id",
        "national_id",
        "given",
        "father",
        "grandfather",
        "family",
        "mother",
        "birth_date",
        "birth_year",
        "sex",
    ];
    for (file, loaded, extra) in [
        ("people.csv", Some(people), false),
        ("deaths.csv", deaths, true),
    ] {
        let Some(l) = loaded else { continue };
        let mut w = csv::Writer::from_path(dir.join(file))?;
        let mut cols = person_cols.to_vec();
        if extra {
            cols.push("death_date");
        }
        w.write_record(&cols)?;
        for (i, r) in l.recs.iter().enumerate() {
            let mother: Vec<String> = r
                .mother
                .iter()
                .take_while(|m| **m != 0)
                .map(|m| name(*m))
                .collect();
            let (bd, by) = birth(r);
            let mut row = vec![
                l.ids.get(i as u32).to_string(),
                if r.household == tamwin_matching::record::NO_HOUSEHOLD {
                    String::new()
                } else {
                    r.household.to_string()
                },
                nid(r.nid),
                name(r.given),
                name(r.father),
                name(r.grandfather),
                name(r.family),
                mother.join(" "),
                bd,
                by,
                ["", "m", "f"][r.sex as usize % 3].to_string(),
            ];
            if extra {
                row.push(String::new());
            }
            w.write_record(&row)?;
        }
        w.flush()?;
    }
    if let Some(x) = exits {
        let mut w = csv::Writer::from_path(dir.join("exits.csv"))?;
        w.write_record([
            "record_id",
            "national_id",
            "given",
            "father",
            "grandfather",
            "family",
            "birth_date",
            "birth_year",
            "exit_date",
            "return_date",
        ])?;
        for (i, r) in x.recs.iter().enumerate() {
            let (bd, by) = birth(r);
            let t = x.trips.get(i).copied().unwrap_or_default();
            let date = |d: Option<i32>| d.map(|d| d.to_string()).unwrap_or_default();
            w.write_record([
                x.ids.get(i as u32).to_string(),
                nid(r.nid),
                name(r.given),
                name(r.father),
                name(r.grandfather),
                name(r.family),
                bd,
                by,
                date(t.exit),
                date(t.returned),
            ])?;
        }
        w.flush()?;
    }
    Ok(())
}
