// Draws the subject's link chart with cytoscape.js from the JSON the page carries. The table
// beside it says the same for screen readers and browsers without scripts.
"use strict";

(function () {
  const box = document.getElementById("link-chart");
  const data = JSON.parse(document.getElementById("graph-data").textContent);
  if (!box || typeof cytoscape === "undefined" || data.nodes.length === 0) {
    if (box) box.hidden = true;
    return;
  }
  cytoscape({
    container: box,
    elements: [
      ...data.nodes.map((n) => ({ data: { id: n.id, label: n.label, kind: n.kind } })),
      ...data.edges.map((e, i) => ({ data: { id: "e" + i, source: e.source, target: e.target, label: e.label } })),
    ],
    layout: { name: "cose", animate: false },
    style: [
      { selector: "node", style: { label: "data(label)", "background-color": "#005ea2", color: "#1b1b1b", "font-size": 11 } },
      { selector: `node[id = "${data.centre}"]`, style: { "background-color": "#d83933" } },
      { selector: "edge", style: { label: "data(label)", width: 1.5, "line-color": "#71767a", "font-size": 9, "curve-style": "bezier" } },
    ],
  });
})();
