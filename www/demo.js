// The demo merchant page, in plain JS until the wasm helper replaces it.
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);

  async function start(event) {
    event.preventDefault();
    $("start-error").textContent = "";
    const form = new FormData(event.target);
    const response = await fetch("/demo/api/start", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        provider: "sandbox",
        name: form.get("name") || undefined,
        id_number: form.get("id_number") || undefined,
      }),
    });
    const body = await response.json();
    if (!response.ok) {
      const error = body.error || {};
      $("start-error").textContent = (error.field ? error.field + ": " : "") + (error.message || "failed");
      return;
    }
    // The landing page confirms with the backend using the session's client secret.
    sessionStorage.setItem("facegate:" + body.id, body.client_secret);
    window.location.assign(body.next_action.url);
  }

  async function land(params) {
    $("start").hidden = true;
    $("result").hidden = false;
    const id = params.get("verification_id");
    const secret = sessionStorage.getItem("facegate:" + id);
    if (!secret) {
      $("result-status").textContent = "This browser did not start verification " + id + ".";
      return;
    }
    const url = "/v1/client/verifications/" + encodeURIComponent(id) +
      "?client_secret=" + encodeURIComponent(secret);
    const session = await (await fetch(url)).json();
    $("result-status").dataset.status = session.status;
    $("result-status").textContent = "Status: " + session.status;
    $("result-detail").textContent = JSON.stringify(session.result, null, 2);
  }

  const params = new URLSearchParams(window.location.search);
  if (params.has("verification_id")) {
    land(params);
  } else {
    $("start-form").addEventListener("submit", start);
  }
})();
