"""A corpus of realistic export files, generated deterministically, with the right answers.

See build.py (how the files are written) and scenarios.py (what each export looks
like, after which product's documented export, and what ``onpace init --from``
must propose for it).
"""
