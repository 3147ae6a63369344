// Progressive enhancement: "select all on this page", and ticking a highlight picks the "ticked" scope.
(function () {
  var form = document.getElementById("hatch-form");
  if (!form) return;
  var all = document.getElementById("select-page");
  var boxes = form.querySelectorAll('input[name="Hatch.Ids"]');
  var selectedScope = form.querySelector('input[name="Hatch.Scope"][value="selected"]');
  if (all) {
    all.closest(".js-only").hidden = false;
    all.addEventListener("change", function () {
      boxes.forEach(function (b) { b.checked = all.checked; });
      if (selectedScope) selectedScope.checked = true;
    });
  }
  boxes.forEach(function (b) {
    b.addEventListener("change", function () { if (b.checked && selectedScope) selectedScope.checked = true; });
  });
})();
