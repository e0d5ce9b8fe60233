/* TIC Flow task page: small enhancements over pages that work without JavaScript.
   - add/remove rows of a list in place (without JS the buttons post and the server re-renders);
   - show a field only when the UI hints' visibleWhen holds (hidden fields are not submitted);
   - a weighted total (the scoring sheet's) computed as its parts are typed;
   - the process diagram with the current step highlighted (bpmn-js navigated viewer). */
(function () {
  "use strict";

  var PLACEHOLDER = "__INDEX__";

  function rowsOf(name) {
    return document.querySelector('[data-rows-of="' + CSS.escape(name) + '"]');
  }

  function nextIndex(container) {
    var highest = -1;
    container.querySelectorAll(":scope > .row-card").forEach(function (card) {
      var parts = card.getAttribute("data-row").split(".");
      var index = parseInt(parts[parts.length - 1], 10);
      if (!isNaN(index) && index > highest) { highest = index; }
    });
    return highest + 1;
  }

  function renumber(container) {
    container.querySelectorAll(":scope > .row-card").forEach(function (card, position) {
      var number = card.querySelector(".row-number");
      if (number) { number.textContent = String(position + 1); }
    });
  }

  function addRow(button) {
    var name = button.getAttribute("data-add-row");
    var template = document.querySelector('template[data-row-template="' + CSS.escape(name) + '"]');
    var container = rowsOf(name);
    if (!template || !container) { return; }
    var index = String(nextIndex(container));
    var holder = document.createElement("div");
    holder.innerHTML = template.innerHTML.split(PLACEHOLDER).join(index);
    var card = holder.firstElementChild;
    container.appendChild(card);
    renumber(container);
    applyVisibility(button.form);
    var first = card.querySelector("input:not([type=hidden]), select, textarea");
    if (first) { first.focus(); }
  }

  function removeRow(button) {
    var card = button.closest(".row-card");
    var container = card && card.parentElement;
    if (!card) { return; }
    card.remove();
    renumber(container);
  }

  function currentValue(form, name) {
    var fields = form.querySelectorAll('[name="' + CSS.escape(name) + '"]');
    for (var i = 0; i < fields.length; i++) {
      var field = fields[i];
      if (field.type === "radio" || field.type === "checkbox") {
        if (field.checked) { return field.value; }
      } else {
        return field.value;
      }
    }
    return "";
  }

  function holds(form, condition) {
    return Object.keys(condition).every(function (name) {
      return currentValue(form, name) === String(condition[name]);
    });
  }

  function applyVisibility(form) {
    if (!form) { return; }
    form.querySelectorAll("[data-visible-when]").forEach(function (element) {
      var show = holds(form, JSON.parse(element.getAttribute("data-visible-when")));
      element.hidden = !show;
      element.querySelectorAll("input, select, textarea, button").forEach(function (control) {
        control.disabled = !show;
      });
    });
  }

  /* A weighted total (the scoring sheet's 总分) follows its parts as they are typed: an
     integer from 0 to its maximum each, else no total. Only a help: the server computes
     and checks the total again. */
  function weightedTotal(parts) {
    var sum = 0, weights = 0;
    var complete = parts.every(function (input) {
      var text = input.value.trim();
      var weight = Number(input.getAttribute("data-weight"));
      if (!/^\d+$/.test(text) || Number(text) > Number(input.getAttribute("data-max"))) { return false; }
      sum += Number(text) * weight;
      weights += weight;
      return true;
    });
    return complete && weights > 0 ? String(Math.floor(sum / weights + 0.5)) : "";
  }

  function wireTotals(form) {
    form.querySelectorAll("[data-total-of]").forEach(function (total) {
      var prefix = total.getAttribute("data-total-of") + ".";
      var parts = Array.prototype.filter.call(form.querySelectorAll("[data-weight]"), function (input) {
        return input.name.indexOf(prefix) === 0;
      });
      function update() { total.value = weightedTotal(parts); }
      total.readOnly = true;
      parts.forEach(function (input) { input.addEventListener("input", update); });
      update();
    });
  }

  function enhanceForm(form) {
    form.addEventListener("click", function (event) {
      var add = event.target.closest("[data-add-row]");
      var remove = event.target.closest("[data-remove-row]");
      if (add) { event.preventDefault(); addRow(add); }
      if (remove) { event.preventDefault(); removeRow(remove); }
    });
    form.addEventListener("change", function () { applyVisibility(form); });
    applyVisibility(form);
    wireTotals(form);
  }

  // The analysts' form editor renders the same form again as they type: it enhances each.
  window.TicFlowForms = { enhance: enhanceForm };

  // The zoom buttons above the diagram: a step at a time, or the whole diagram in view.
  function wireZoom(canvas) {
    document.querySelectorAll("[data-diagram-zoom]").forEach(function (button) {
      button.addEventListener("click", function () {
        var how = button.getAttribute("data-diagram-zoom");
        if (how === "fit") { canvas.zoom("fit-viewport"); return; }
        canvas.zoom(canvas.zoom() * (how === "in" ? 1.25 : 0.8));
      });
    });
  }

  /* The case's diagram with its current steps and path; a click on a call activity shows
     the called process (专家论证与实地评估) with this case's path through it, and the back
     button returns to the case's own diagram. */
  function showDiagram() {
    var container = document.getElementById("diagram");
    if (!container || !window.BpmnJS) { return; }
    var active = JSON.parse(container.getAttribute("data-active") || "[]");
    var path = JSON.parse(container.getAttribute("data-path") || "null");
    var calledPaths = JSON.parse(container.getAttribute("data-called-paths") || "{}");
    var back = document.querySelector("[data-diagram-back]");
    var viewer = new window.BpmnJS({ container: container });
    var url = container.getAttribute("data-xml-url");

    function show(xmlUrl, marks, steps) {
      return fetch(xmlUrl, { credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) { throw new Error(response.status); }
          return response.text();
        })
        .then(function (xml) { return viewer.importXML(xml); })
        .then(function () {
          var canvas = viewer.get("canvas");
          var registry = viewer.get("elementRegistry");
          canvas.zoom("fit-viewport");
          steps.forEach(function (id) { if (registry.get(id)) { canvas.addMarker(id, "current-step"); } });
          if (marks && window.TicDiagram) { window.TicDiagram.markPath(viewer, marks); }
        });
    }

    function showCaller() {
      if (back) { back.hidden = true; }
      container.removeAttribute("data-called");
      return show(url, path, active);
    }

    viewer.get("eventBus").on("element.click", function (event) {
      var called = event.element.businessObject && event.element.businessObject.calledElement;
      if (event.element.type !== "bpmn:CallActivity" || !calledPaths[called]) { return; }
      show(url + "?called=" + encodeURIComponent(called), calledPaths[called], calledPaths[called].active)
        .then(function () {
          container.setAttribute("data-called", called);
          if (back) { back.hidden = false; }
        });
    });
    if (back) { back.addEventListener("click", showCaller); }
    showCaller()
      .then(function () {
        wireZoom(viewer.get("canvas"));
        container.setAttribute("data-rendered", "true");
      })
      .catch(function () { container.remove(); });
  }

  /* A people list filtered as one types a name or a unit; the choices already made stay. */
  function wirePeopleSearch(input) {
    var select = document.getElementById(input.getAttribute("data-filters"));
    if (!select) { return; }
    input.addEventListener("input", function () {
      var query = input.value.trim().toLowerCase();
      select.querySelectorAll("optgroup").forEach(function (group) {
        var unitMatches = group.label.toLowerCase().indexOf(query) >= 0;
        var shown = 0;
        group.querySelectorAll("option").forEach(function (option) {
          var visible = !query || unitMatches || option.selected ||
            option.textContent.toLowerCase().indexOf(query) >= 0;
          option.hidden = !visible;
          if (visible) { shown += 1; }
        });
        group.hidden = shown === 0;
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-task-form]").forEach(enhanceForm);
    document.querySelectorAll("input.people-search").forEach(wirePeopleSearch);
    showDiagram();
  });
})();
