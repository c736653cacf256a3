// While the phone menu is open, USWDS hides the rest of the page from screen readers
// (aria-hidden, marked data-nav-hidden) but leaves its links focusable. Making exactly those
// elements inert takes them out of the tab order too, and gives them back when the menu closes.
(function () {
  "use strict";
  var observer = new MutationObserver(function (changes) {
    changes.forEach(function (change) {
      var el = change.target;
      el.inert = el.hasAttribute("data-nav-hidden");
    });
  });
  observer.observe(document.body, {
    subtree: true,
    attributes: true,
    attributeFilter: ["data-nav-hidden"],
  });
})();
