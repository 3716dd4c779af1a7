/* Job progress pages, progressive enhancement: without this file a <noscript>
   refresh reloads the page until the work is done. Polls the job's JSON, moves
   the <progress> bar, updates the aria-live status, then opens the result. */
(function () {
  "use strict";
  var box = document.getElementById("job");
  if (!box || box.getAttribute("data-done") === "true") { return; }
  var statusUrl = box.getAttribute("data-status-url");
  var next = box.getAttribute("data-next");
  var bar = document.getElementById("job-progress");
  var delay = 1000;

  function text(id, value) {
    var node = document.getElementById(id);
    if (node) { node.textContent = value; }
  }

  function show(body) {
    var percent = Math.round((body.progress || 0) * 100);
    bar.value = percent;
    bar.textContent = percent + " %";
    text("job-state", body.state || body.status);
    text("job-percent", percent + " %");
    text("job-message", body.message ? " · " + body.message : "");
  }

  function finish(body) {
    var target = next || body.result_url;
    var result = document.getElementById("job-result");
    var link = document.getElementById("job-result-link");
    if (target && link) { link.href = target; result.hidden = false; }
    if (target) { window.location.assign(target); }
  }

  function fail(body) {
    text("job-error-text", body.error || "");
    document.getElementById("job-error").hidden = false;
  }

  function poll() {
    fetch(statusUrl, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      })
      .then(function (body) {
        show(body);
        if (body.status === "finished") { finish(body); return; }
        if (body.status === "failed") { fail(body); return; }
        delay = Math.min(delay * 1.2, 5000);
        window.setTimeout(poll, delay);
      })
      .catch(function () {
        delay = Math.min(delay * 2, 15000);  // a server restart or a dropped connection
        window.setTimeout(poll, delay);
      });
  }

  window.setTimeout(poll, delay);
})();
