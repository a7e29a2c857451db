//! The `backform` command line: the app (default), `analyze`, `bench`, `exercises`.

fn main() -> anyhow::Result<()> {
    Ok(())
}
