// Draws the subject's link chart with cytoscape.js and the fCoSE layout from the JSON the page
// carries. Colours and shapes by kind (the legend above the chart says which), names as labels,
// and a click (or tap) on a person, case or identifier opens its page. The table below the
// chart holds the same links for the keyboard, screen readers and browsers without scripts.
"use strict";

(function () {
  const box = document.getElementById("link-chart");
  const source = document.getElementById("graph-data");
  if (!box || !source || typeof cytoscape === "undefined") {
    if (box) box.hidden = true;
    return;
  }
  const data = JSON.parse(source.textContent);
  if (typeof cytoscapeFcose !== "undefined") cytoscape.use(cytoscapeFcose);
  // The same colours and shapes as the legend (static/chart.css).
  const LOOK = {
    subject: ["#005ea2", "ellipse"],
    organisation: ["#00a398", "round-rectangle"],
    vehicle: ["#936f38", "diamond"],
    address: ["#e66f0e", "triangle"],
    identifier: ["#8168b3", "pentagon"],
    case: ["#71767a", "rectangle"],
  };
  const styles = [
    {
      selector: "node",
      style: {
        label: "data(label)",
        width: 26,
        height: 26,
        "border-width": 1,
        "border-color": "#1b1b1b",
        color: "#1b1b1b",
        "font-family": "Source Sans Pro Web, Helvetica Neue, Helvetica, Roboto, Arial, sans-serif",
        "font-size": 13,
        "text-valign": "bottom",
        "text-margin-y": 4,
        "text-wrap": "wrap",
        "text-max-width": 150,
        "text-background-color": "#ffffff",
        "text-background-opacity": 0.85,
        "text-background-padding": 2,
      },
    },
    {
      selector: "node[?centre]",
      style: { "background-color": "#d83933", width: 38, height: 38, "border-width": 3, "font-weight": "bold" },
    },
    {
      selector: "edge",
      style: {
        label: "data(label)",
        width: 1.5,
        "line-color": "#71767a",
        color: "#3d4551",
        "font-size": 12,
        "curve-style": "bezier",
        "text-rotation": "autorotate",
        "text-background-color": "#ffffff",
        "text-background-opacity": 0.85,
        "text-background-padding": 1,
      },
    },
    { selector: "node[href]", style: { "underlay-color": "#2491ff", "underlay-padding": 0 } },
    { selector: "node[href]:active, node[href].hover", style: { "underlay-opacity": 0.3, "underlay-padding": 6 } },
  ];
  for (const [kind, [colour, shape]] of Object.entries(LOOK)) {
    styles.splice(1, 0, { selector: `node[kind = "${kind}"]`, style: { "background-color": colour, shape } });
  }
  const small = data.nodes.length <= 3;
  // Start from a circle around the subject, in the order the legend lists kinds, so the layout
  // is the same at every visit; fCoSE then spreads it so that no node or label overlaps.
  const others = data.nodes.filter((n) => !n.centre);
  const ring = Math.max(110, others.length * 26);
  const start = (n) => {
    if (n.centre) return { x: 0, y: 0 };
    const angle = (2 * Math.PI * others.indexOf(n)) / others.length - Math.PI / 2;
    return { x: ring * Math.cos(angle), y: ring * Math.sin(angle) };
  };
  const cy = cytoscape({
    container: box,
    elements: [
      ...data.nodes.map((n) => ({ data: { ...n, href: n.href || undefined }, position: start(n) })),
      ...data.edges.map((e, i) => ({ data: { id: "e" + i, source: e.source, target: e.target, label: e.label } })),
    ],
    style: styles,
    layout: {
      name: typeof cytoscapeFcose !== "undefined" ? "fcose" : "cose",
      animate: false,
      randomize: false,
      nodeDimensionsIncludeLabels: true,
      idealEdgeLength: () => (small ? 130 : 110),
      nodeRepulsion: () => 9000,
      nodeSeparation: 90,
      padding: 30,
    },
    minZoom: 0.3,
    maxZoom: 1.6,
    userZoomingEnabled: false,
    boxSelectionEnabled: false,
    autoungrabify: false,
  });
  cy.fit(undefined, 30);
  if (cy.zoom() > 1.6) cy.zoom(1.6);
  cy.center();
  cy.on("tap", "node[href]", (event) => {
    window.location.assign(event.target.data("href"));
  });
  cy.on("mouseover", "node[href]", (event) => {
    event.target.addClass("hover");
    box.classList.add("writ-chart--pointer");
  });
  cy.on("mouseout", "node[href]", (event) => {
    event.target.removeClass("hover");
    box.classList.remove("writ-chart--pointer");
  });
})();
