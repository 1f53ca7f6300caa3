//! `backend_tests!`: a story written once, run as one test per backend.

/// Each story becomes a module of its name with one test per backend, `NAME::sqlite` and
/// `NAME::postgres`, so that a failure names its backend and SQLite failing does not keep the
/// PostgreSQL half from running. The story's argument reads as the loop it replaces,
/// `for (backend, store) in testkit::backends().await`:
///
/// ```ignore
/// tamwin_store::backend_tests! {
///     /// Doc comments stay on the story.
///     async fn bookings_never_overbook((backend, store) in backends) {
///         // `backend: &'static str`, `store: Arc<dyn Store>`
///     }
///     #[multi_thread] // tokio's multi-thread runtime with two workers
///     async fn two_servers((backend, one, two) in backend_pairs) { /* one database, two pools */ }
///     async fn both_sides((backend, store, civil) in backends_with_civil) { /* one database */ }
///     async fn registry((backend, store) in civil_backends) { /* Arc<dyn CivilStore> */ }
///     // Any other source is a function called with the `Backend` first, then its arguments:
///     async fn pages((backend, app, reg) in common::app_on_with_clock(common::clock())) { }
///     // Or the `Backend` itself (it prints as, and equals, its name), for a body that opens its own:
///     async fn by_hand(backend) { let (_, store) = tamwin_store::testkit::store(backend).await; }
/// }
/// ```
///
/// The PostgreSQL test fails loudly when `TAMWIN_TEST_POSTGRES_URL` is not set, and is skipped, as
/// printed, only under `TAMWIN_TEST_SKIP_POSTGRES=1`. The story's body sees the enclosing module's
/// names (`use super::*`). A brace-delimited macro body is not formatted by rustfmt: keep it as
/// `cargo fmt` would have left it.
#[macro_export]
macro_rules! backend_tests {
    () => {};
    ($(#[doc = $doc:literal])* #[multi_thread] async fn $name:ident $args:tt $body:block $($rest:tt)*) => {
        $crate::backend_tests!(@story [flavor = "multi_thread", worker_threads = 2] [$($doc)*] $name $args $body);
        $crate::backend_tests!($($rest)*);
    };
    ($(#[doc = $doc:literal])* async fn $name:ident $args:tt $body:block $($rest:tt)*) => {
        $crate::backend_tests!(@story [] [$($doc)*] $name $args $body);
        $crate::backend_tests!($($rest)*);
    };
    (@story [$($flavor:tt)*] [$($doc:literal)*] $name:ident $args:tt $body:block) => {
        $(#[doc = $doc])*
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[::tokio::test($($flavor)*)]
            async fn sqlite() {
                $crate::backend_tests!(@run $crate::testkit::Backend::Sqlite, $args, $body)
            }

            #[::tokio::test($($flavor)*)]
            async fn postgres() {
                $crate::backend_tests!(@run $crate::testkit::Backend::Postgres, $args, $body)
            }
        }
    };
    (@run $backend:expr, ($b:ident), $body:block) => {{
        let $b: $crate::testkit::Backend = $backend;
        if $b.skipped() {
            return;
        }
        $body
    }};
    (@run $backend:expr, ($pat:pat in $($source:tt)+), $body:block) => {{
        let backend: $crate::testkit::Backend = $backend;
        if backend.skipped() {
            return;
        }
        let $pat = $crate::backend_tests!(@source backend; $($source)+).await;
        $body
    }};
    (@source $b:ident; backends) => { $crate::testkit::store($b) };
    (@source $b:ident; backend_pairs) => { $crate::testkit::pair($b) };
    (@source $b:ident; backends_with_civil) => { $crate::testkit::with_civil($b) };
    (@source $b:ident; civil_backends) => { $crate::testkit::civil($b) };
    (@source $b:ident; $($f:ident)::+ ($($arg:expr),* $(,)?)) => { $($f)::+($b, $($arg),*) };
    (@source $b:ident; $($f:ident)::+) => { $($f)::+($b) };
}
