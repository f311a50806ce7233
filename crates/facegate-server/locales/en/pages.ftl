# The pages facegate's server shows end users: where the vendor sends the browser back, and the
# demo's stand-in. Words: docs/glossary.md.

return-unknown-title = Unknown verification
return-unknown-message = This link does not belong to a verification on this server. Go back to the merchant's page and start again.
return-unavailable-title = Please try again
return-unavailable-message = This server could not look the verification up just now. Reload the page in a moment.
return-forbidden-title = Return address not allowed
return-forbidden-message = The merchant's return address is no longer on this server's allowlist. Please contact the merchant.
demo-not-built = The demo app is not built: run scripts/demo.sh (see README.md).
