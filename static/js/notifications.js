// The bell in the top bar: asks for the unread count after the page has loaded, so no page spends a
// database query on it. Without JavaScript the bell is still a link to the list.
(function () {
  "use strict";
  function update(bell) {
    var url = bell.getAttribute("data-unread-url");
    var badge = bell.querySelector("[data-unread-count]");
    var label = bell.querySelector("[data-unread-label]");
    if (!url || !badge) {
      return;
    }
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (data) {
        if (!data || typeof data.unread !== "number") {
          return;
        }
        badge.textContent = data.unread > 99 ? "99+" : String(data.unread);
        badge.hidden = data.unread === 0;
        if (label) {
          label.textContent = data.unread === 1 ? "1 oläst" : data.unread + " olästa";
        }
      })
      .catch(function () {});
  }
  function start() {
    document.querySelectorAll("[data-unread-url]").forEach(update);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
