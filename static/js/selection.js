// The enterprise list's and the task list's selection: tick a page at once, "all that match"
// (the server re-runs the filter), and say how many are chosen. Without this file the
// checkboxes and buttons still work; the server checks every selection anyway.
(function () {
  "use strict";

  function formOf(element) {
    var id = element.getAttribute("form");
    return id ? document.getElementById(id) : element.closest("form");
  }

  function picks(form) {
    return Array.prototype.slice.call(
      document.querySelectorAll('input[data-pick][form="' + form.id + '"], #' + form.id + " input[data-pick]")
    );
  }

  function update(form) {
    var all = form.querySelector('input[name="all"]');
    var boxes = picks(form);
    var ticked = boxes.filter(function (box) { return box.checked; }).length;
    boxes.forEach(function (box) { box.disabled = !!(all && all.checked); });
    var out = form.querySelector("[data-selected-count]");
    if (out) {
      out.textContent = all && all.checked ? out.dataset.allText : ticked ? out.dataset.someText.replace("%s", ticked) : "";
    }
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches("input[data-select-page]")) {
      var form = document.getElementById(target.dataset.selectPage);
      picks(form).forEach(function (box) { box.checked = target.checked; });
      update(form);
    } else if (target.matches("input[data-pick]") || target.matches('input[name="all"]')) {
      update(formOf(target));
    }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches("form[data-selection]")) return;
    var all = form.querySelector('input[name="all"]');
    var ticked = picks(form).some(function (box) { return box.checked; });
    if (!ticked && !(all && all.checked)) {
      event.preventDefault();
      var out = form.querySelector("[data-selected-count]");
      if (out) out.textContent = out.dataset.noneText;
    }
  });

  // A header click sorts through htmx: keep the filter form's sort menu in step.
  document.addEventListener("htmx:afterSettle", function () {
    var select = document.querySelector('form.filters select[name="sort"]');
    var sort = new URLSearchParams(window.location.search).get("sort");
    if (select && sort && select.querySelector('option[value="' + sort + '"]')) select.value = sort;
  });
})();
