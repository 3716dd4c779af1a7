/* Loaded with an error summary (and by the expert form), progressive enhancement only:
   everything works without this file.
   After a refused form (expert answers, organizer forms), move keyboard and
   screen-reader focus to the error summary (#error-summary, tabindex -1). */
(function () {
  "use strict";
  function focusSummary() {
    var summary = document.getElementById("error-summary");
    if (summary && !window.location.hash) { summary.focus(); }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", focusSummary);
  } else {
    focusSummary();
  }
})();
