"""Reports: the review pack (PDF, Excel, HTML) and the digest email.

Both read the one scorecard data function, so the meeting's pack, the weekly
email and the web app show the same numbers.
"""
