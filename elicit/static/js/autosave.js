/* Automatic draft save for the expert form — progressive enhancement only:
   without this file the "Save and finish later" button does the same job.

   When something was typed, the form is posted to its data-autosave-url every
   AUTOSAVE_EVERY milliseconds and once more when the page is hidden or closed
   (navigator.sendBeacon), so closing the tab loses at most the last few
   seconds. The server keeps every valid answer and each refused one as typed;
   its short message goes to the status line (#autosave-status). */
(function () {
  "use strict";
  var AUTOSAVE_EVERY = 30000;
  var form = document.querySelector("form.answer-form[data-autosave-url]");
  if (!form || !window.FormData || !window.fetch) { return; }
  var url = form.getAttribute("data-autosave-url");
  var status = document.getElementById("autosave-status");
  var dirty = false;
  var submitting = false;
  var busy = false;

  function markDirty() { dirty = true; }
  form.addEventListener("input", markDirty);
  form.addEventListener("change", markDirty);
  form.addEventListener("submit", function () { submitting = true; });

  function say(text) { if (status) { status.textContent = text; } }

  function save() {
    if (!dirty || submitting || busy) { return; }
    busy = true;
    dirty = false;
    fetch(url, { method: "POST", body: new FormData(form), credentials: "same-origin",
                 headers: { "Accept": "application/json" } })
      .then(function (reply) {
        return reply.json().then(function (data) {
          if (reply.ok) { say(data.message); } else { dirty = true; say(data.error || ""); }
        });
      })
      .catch(function () { dirty = true; })
      .then(function () { busy = false; });
  }

  function saveOnLeave() {
    if (!dirty || submitting || !navigator.sendBeacon) { return; }
    if (navigator.sendBeacon(url, new FormData(form))) { dirty = false; }
  }

  window.setInterval(save, AUTOSAVE_EVERY);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") { saveOnLeave(); }
  });
  window.addEventListener("pagehide", saveOnLeave);
})();
