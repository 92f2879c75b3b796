/* In the field, on a phone (outreach/field_views.py, registry/calls.py):
   - "Call" on a masked number: the logged "show" (htmx), then the number is dialled;
   - a tapped tel: link offers the call's outcome, one tap to log it;
   - a visit's location, asked of the browser only when the worker ticks their consent;
   - filter forms fold away on a phone. No inline script: the CSP allows our files only. */
(function () {
  "use strict";

  function offerOutcome(link) {
    var url = link.getAttribute("data-call-outcome");
    var slot = link.nextElementSibling;
    if (!url || !slot || !slot.classList.contains("call-outcome") || !window.htmx) return;
    if (slot.querySelector("[data-testid=call-outcomes]")) return;
    window.htmx.ajax("GET", url, { target: slot, swap: "innerHTML" });
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a.tel[data-call-outcome]");
    if (link) offerOutcome(link);  // the browser still follows the tel: link and dials
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    var config = event.detail && event.detail.requestConfig;
    var trigger = config && config.elt;
    if (!trigger || !trigger.hasAttribute("data-dial")) return;
    var link = event.detail.target.querySelector("a.tel");
    if (link) link.click();
  });

  function geolocation(box) {
    var form = box.form;
    var status = form.querySelector("[data-geo-status]");
    var set = function (name, value) {
      var input = form.querySelector("input[name=" + name + "]");
      if (input) input.value = value;
    };
    var say = function (attribute, values) {
      if (!status) return;
      var text = status.getAttribute(attribute) || "";
      Object.keys(values || {}).forEach(function (key) { text = text.replace("{" + key + "}", values[key]); });
      status.textContent = text;
    };
    box.addEventListener("change", function () {
      set("latitude", ""); set("longitude", ""); set("accuracy", "");
      if (!box.checked) { say("data-off"); return; }
      if (!navigator.geolocation) { box.checked = false; say("data-failed"); return; }
      say("data-pending");
      navigator.geolocation.getCurrentPosition(function (position) {
        if (!box.checked) return;
        set("latitude", position.coords.latitude.toFixed(6));
        set("longitude", position.coords.longitude.toFixed(6));
        set("accuracy", Math.round(position.coords.accuracy));
        say("data-done", { metres: Math.round(position.coords.accuracy) });
      }, function () {
        box.checked = false;
        say("data-failed");
      }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
    });
  }

  function foldFilters() {
    if (!window.matchMedia || !window.matchMedia("(max-width: 40rem)").matches) return;
    var zh = (document.documentElement.lang || "").indexOf("zh") === 0;
    document.querySelectorAll("form.filters").forEach(function (form, index) {
      if (form.hasAttribute("data-folded")) return;
      form.setAttribute("data-folded", "");
      if (!form.id) form.id = "filters-" + index;
      var button = document.createElement("button");
      button.type = "button";
      button.className = "secondary filters-toggle";
      button.setAttribute("aria-controls", form.id);
      button.setAttribute("data-testid", "filters-toggle");
      var active = window.location.search.length > 1;
      var label = zh ? "筛选" : "Filters";
      button.textContent = label + (active ? (zh ? "（已筛选）" : " (on)") : "");
      var open = function (yes) {
        form.classList.toggle("folded", !yes);
        button.setAttribute("aria-expanded", yes ? "true" : "false");
      };
      button.addEventListener("click", function () { open(form.classList.contains("folded")); });
      form.parentNode.insertBefore(button, form);
      open(false);
    });
  }

  function start() {
    document.querySelectorAll("input[data-geolocation]").forEach(geolocation);
    foldFilters();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
