"""The command line: Typer commands per area, thin; each parses, calls the library, prints."""
