// The backward stepper's controls (autograd_core/viz/stepper_page.py writes the page this drives).
//
// The page works without this script: it shows the graph after the last embedded step
// and the table of every step. Where scripts run, agcStepper(id, data) adds the buttons
// First / Previous / Next / Last, a slider numbered 1..N and the caption "backward step K
// of N", puts the graph inline (decoded from the <img>) and restyles it for each step:
// the current node highlighted, the edges that received gradient drawn in the "sent"
// colour, and each node's "grad" text shown only once backward has reached that node.
// data: {total, steps: [{node, op, edges, detail: [[label, text], ...]}], colors: {highlight, sent, row}}
function agcStepper(rootId, data, attempt) {
  "use strict";
  var root = document.getElementById(rootId);
  if (!root) {  // a notebook may run the script before its output is on the page: try again shortly
    if ((attempt || 0) < 50) { setTimeout(function () { agcStepper(rootId, data, (attempt || 0) + 1); }, 100); }
    return;
  }
  if (root.getAttribute("data-ready")) { return; }
  root.setAttribute("data-ready", "1");
  var steps = data.steps, count = steps.length, current = 0, fitted = true;
  var part = function (role) { return root.querySelector("[data-role='" + role + "']"); };

  // -- the graph: inline SVG from the <img>, with its node and edge groups by title --
  var holder = part("graph"), picture = holder ? holder.querySelector("img") : null, svg = null;
  var nodes = {}, edges = {};
  if (picture) {
    var encoded = picture.getAttribute("src").split(",")[1];
    var bytes = Uint8Array.from(atob(encoded), function (c) { return c.charCodeAt(0); });
    holder.innerHTML = new TextDecoder("utf-8").decode(bytes);
    svg = holder.querySelector("svg");
    svg.querySelectorAll("[id]").forEach(function (element) { element.removeAttribute("id"); });
    svg.querySelectorAll("g.node, g.edge").forEach(function (group) {
      var title = group.querySelector("title");
      if (!title) { return; }
      var table = group.classList.contains("node") ? nodes : edges;
      (table[title.textContent] = table[title.textContent] || []).push(group);
      group.querySelectorAll("polygon, ellipse, path, text").forEach(function (shape) {
        ["fill", "stroke", "stroke-width"].forEach(function (name) {  // "" stands for "not set"
          shape.setAttribute("data-" + name, shape.hasAttribute(name) ? shape.getAttribute(name) : "");
        });
        if (shape.tagName === "text") { shape.setAttribute("data-text", shape.textContent); }
        if (shape.tagName === "text" && shape.textContent.indexOf("grad ") === 0) {  // its cell's centre
          var cell = shape.previousElementSibling, box = cell && cell.tagName === "polygon" ? cell.getBBox() : null;
          var centre = box ? box.x + box.width / 2 : shape.getBBox().x + shape.getBBox().width / 2;
          shape.setAttribute("data-centre", String(centre));
          shape.setAttribute("data-x", shape.getAttribute("x"));
          shape.setAttribute("data-anchor", shape.getAttribute("text-anchor") || "start");
        }
      });
    });
  }
  var reached = {};  // node title -> the step at which backward reaches it
  steps.forEach(function (step, index) { if (!(step.node in reached)) { reached[step.node] = index; } });

  function restore(group) {
    group.querySelectorAll("[data-fill]").forEach(function (shape) {
      ["fill", "stroke", "stroke-width"].forEach(function (name) {
        var value = shape.getAttribute("data-" + name);
        if (value) { shape.setAttribute(name, value); } else { shape.removeAttribute(name); }
      });
    });
  }
  function paintNode(group) {  // the filled background shapes take the highlight colour
    group.querySelectorAll("polygon, ellipse").forEach(function (shape) {
      var fill = shape.getAttribute("data-fill");
      if (fill && fill !== "none" && fill !== "transparent") { shape.setAttribute("fill", data.colors.highlight); }
    });
  }
  function paintEdge(group) {
    group.querySelectorAll("path, polygon").forEach(function (shape) {
      shape.setAttribute("stroke", data.colors.sent);
      if (shape.tagName === "polygon") { shape.setAttribute("fill", data.colors.sent); }
      if (shape.tagName === "path") { shape.setAttribute("stroke-width", "2.5"); }
    });
  }
  function showGradients(upto) {  // "grad ..." only for nodes backward has reached by step upto
    Object.keys(nodes).forEach(function (title) {
      var known = title in reached && reached[title] <= upto;
      nodes[title].forEach(function (group) {
        group.querySelectorAll("text[data-text]").forEach(function (text) {
          var original = text.getAttribute("data-text");
          if (original.indexOf("grad ") !== 0) { return; }
          text.textContent = known ? original : "grad \u00b7";
          text.setAttribute("x", known ? text.getAttribute("data-x") : text.getAttribute("data-centre"));
          text.setAttribute("text-anchor", known ? text.getAttribute("data-anchor") : "middle");
        });
      });
    });
  }
  function keepInView(groups) {  // scroll the graph box (not the page) to the current node
    if (!groups || !groups.length) { return; }
    var box = groups[0].getBoundingClientRect(), frame = holder.getBoundingClientRect();
    holder.scrollTop += box.top - frame.top - (holder.clientHeight - box.height) / 2;
    holder.scrollLeft += box.left - frame.left - (holder.clientWidth - box.width) / 2;
  }

  // -- the controls: made here, so that a page where scripts do not run shows none --
  var controls = document.createElement("div"), detail = document.createElement("div");
  controls.style.cssText = "display:flex;flex-wrap:wrap;align-items:center;gap:6px;margin:4px 0";
  detail.style.cssText = "margin:4px 0 8px 0;padding:4px 8px;border-left:4px solid " + data.colors.highlight +
    ";background:#fafafa;line-height:1.5";
  var buttons = {};
  [["first", "First"], ["previous", "Previous"], ["next", "Next"], ["last", "Last"]].forEach(function (pair) {
    var button = document.createElement("button");
    button.type = "button";
    button.textContent = pair[1];
    button.setAttribute("data-go", pair[0]);
    buttons[pair[0]] = button;
    controls.appendChild(button);
  });
  var low = document.createElement("span"), high = document.createElement("span");
  var slider = document.createElement("input"), caption = document.createElement("span");
  low.textContent = "1";
  high.textContent = String(count);
  slider.type = "range";
  slider.min = "1";
  slider.max = String(count);
  slider.step = "1";
  slider.style.cssText = "flex:1 1 160px;max-width:360px";
  slider.setAttribute("aria-label", "backward step");
  caption.setAttribute("data-role", "caption");
  caption.style.cssText = "font-weight:bold;margin-left:8px";
  buttons.zoom = document.createElement("button");
  buttons.zoom.type = "button";
  buttons.zoom.setAttribute("data-go", "zoom");
  [low, slider, high, caption, buttons.zoom].forEach(function (element) { controls.appendChild(element); });
  detail.setAttribute("data-role", "detail");
  var note = part("static-note");
  note.parentNode.insertBefore(controls, note);
  note.parentNode.insertBefore(detail, note);
  note.style.display = "none";
  var rows = root.querySelectorAll("[data-role='table'] tbody tr");
  var tableBox = part("table");

  function show(index) {
    current = Math.max(0, Math.min(count - 1, index));
    var step = steps[current];
    caption.textContent = "backward step " + (current + 1) + " of " + data.total;
    slider.value = String(current + 1);
    buttons.first.disabled = buttons.previous.disabled = current === 0;
    buttons.next.disabled = buttons.last.disabled = current === count - 1;
    detail.innerHTML = "";
    step.detail.forEach(function (item) {
      var line = document.createElement("div"), label = document.createElement("b");
      label.textContent = item[0] + ": ";
      line.appendChild(label);
      line.appendChild(document.createTextNode(item[1]));
      detail.appendChild(line);
    });
    rows.forEach(function (row, position) {
      row.style.background = position === current ? data.colors.row : "";
      row.style.opacity = position > current ? "0.45" : "1";
    });
    if (rows[current] && tableBox) {
      tableBox.scrollTop = rows[current].offsetTop - tableBox.clientHeight / 2;
    }
    if (!svg) { return; }
    Object.keys(nodes).forEach(function (title) { nodes[title].forEach(restore); });
    Object.keys(edges).forEach(function (title) { edges[title].forEach(restore); });
    showGradients(current);
    (nodes[step.node] || []).forEach(paintNode);
    if (step.op) { (nodes[step.op] || []).forEach(paintNode); }
    step.edges.forEach(function (title) { (edges[title] || []).forEach(paintEdge); });
    root.setAttribute("data-step", String(current + 1));
    keepInView(nodes[step.op || step.node]);
  }
  function fit(on) {
    fitted = on;
    if (svg) {
      svg.style.maxWidth = on ? "100%" : "none";
      svg.style.height = on ? "auto" : "";
    }
    buttons.zoom.textContent = on ? "Actual size" : "Fit width";
  }

  buttons.first.addEventListener("click", function () { show(0); });
  buttons.previous.addEventListener("click", function () { show(current - 1); });
  buttons.next.addEventListener("click", function () { show(current + 1); });
  buttons.last.addEventListener("click", function () { show(count - 1); });
  buttons.zoom.addEventListener("click", function () { fit(!fitted); show(current); });
  slider.addEventListener("input", function () { show(parseInt(slider.value, 10) - 1); });
  fit(true);
  show(0);
}
