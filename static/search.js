/* Run the search named in the address (?q=...), so the search box on every page can be a plain form. */
(function () {
  "use strict";
  var query = new URLSearchParams(window.location.search).get("q");
  var components = window.PagefindComponents;
  if (!query || !components) return;
  var input = document.querySelector(".search-page pagefind-input input");
  if (input) input.value = query;
  components.getInstanceManager().getInstance("default").triggerSearch(query);
})();
