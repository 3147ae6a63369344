// Live status: polls GET /api/hatches/{id} (signed in by cookie) and moves the steps along.
// Without JavaScript the page refreshes itself (meta refresh in <noscript>) and has a Reload link.
(function () {
  var root = document.getElementById("hatch-status");
  if (!root) return;
  var url = root.getAttribute("data-status-url");
  var steps = ["Queued", "Selecting", "Writing", "Saving", "Succeeded"];
  var text = document.getElementById("status-text");
  var heading = document.querySelector("h1");

  function stepIndex(s) {
    if (s.status === "Queued") return 0;
    if (s.status === "Succeeded") return steps.length - 1;
    var i = steps.indexOf(s.stage || "Selecting");
    return i < 0 ? 1 : i;
  }

  function render(s) {
    var current = stepIndex(s);
    root.querySelectorAll(".stages li").forEach(function (li, i) {
      li.className = s.status === "Failed"
        ? (i === current ? "failed" : i < current ? "done" : "")
        : (i < current || s.status === "Succeeded" ? "done" : i === current ? "current" : "");
      if (i === current && s.status !== "Succeeded" && s.status !== "Failed") li.setAttribute("aria-current", "step");
      else li.removeAttribute("aria-current");
    });
    if (s.status === "Queued") text.textContent = "Waiting for a worker." + (s.error ? " " + s.error : "");
    else if (s.status === "Running") text.textContent = "Working: " + String(s.stage || "starting").toLowerCase() + "…";
    else if (s.status === "Succeeded") text.textContent = "Finished.";
    else text.textContent = "Stopped.";

    var reload = document.getElementById("status-reload");
    if (s.status === "Succeeded") {
      heading.textContent = "Your draft is ready";
      var link = document.getElementById("draft-link");
      link.href = root.getAttribute("data-draft-base") + s.draftId;
      document.getElementById("status-done").hidden = false;
      if (reload) reload.hidden = true;
      link.focus();
      return true;
    }
    if (s.status === "Failed") {
      heading.textContent = "The hatch failed";
      document.getElementById("status-error").textContent = s.error || "";
      document.getElementById("status-failed").hidden = false;
      if (reload) reload.hidden = true;
      return true;
    }
    return false;
  }

  var delay = 500;
  function poll() {
    fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (s) {
        if (!render(s)) { delay = Math.min(delay * 1.3, 3000); setTimeout(poll, delay); }
      })
      .catch(function () { setTimeout(poll, 3000); });
  }
  var initial = root.getAttribute("data-status");
  if (initial !== "Succeeded" && initial !== "Failed") setTimeout(poll, delay);
})();
