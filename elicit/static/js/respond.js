/* Expert pages, progressive enhancement only: everything works without this file.
   After a refused save, move keyboard and screen-reader focus to the error summary. */
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
