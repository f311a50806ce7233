# Shared by every page of the sandbox (src/page.rs).
page-sandbox = Sandbox (simulated vendor)
# The name of this locale, in this locale: the language switch shows it.
page-language-name = English
page-legend = Outcome
page-submit = Submit
# An outcome's label, then the vendor's own code and text.
page-coded = { $label } ({ $code })
page-unknown-outcome-title = Unknown outcome
page-unknown-outcome = Choose one of the listed outcomes.
page-conflict-title = Try again
page-conflict = This link changed state while you submitted. Go back and start the verification again.
page-unknown-title = Unknown link
page-used-title = Link already used
page-expired-title = Link expired
