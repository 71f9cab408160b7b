/* The search page: run the search named in the address (?q=...&section=...), so the search box on every page can be
   a plain form; keep the address in step with the search, so it can be shared and survives a reload; when a search
   finds nothing, try it again spelt more tolerantly and say so; when that finds nothing either, suggest the
   sections. */
(function () {
  "use strict";
  var components = window.PagefindComponents;
  var page = document.querySelector(".search-page");
  if (!components || !page) return;
  var instance = components.getInstanceManager().getInstance("default");
  var none = page.querySelector(".search-none");
  var words = (page.getAttribute("data-words") || "").toLowerCase().match(/\p{L}{4,}/gu) || [];
  var asked = "";  // what the reader searched for
  var shown = "";  // what the results are for: the same, or a tolerant form of it
  var retries = [];  // the tolerant forms still to try
  var retrying = false;

  /* Return one of the page's texts (its data-showing-one, data-nothing, ...: the theme's strings in the page's
     language) with each {name} in it replaced by values[name]. */
  function text(name, values) {
    return (page.getAttribute("data-" + name) || "").replace(/\{(\w+)\}/g, function (whole, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : whole;
    });
  }

  // Rank by the weighted count of the words, not by how often they occur for the page's length: a word in the title
  // or a heading weighs many times one in the text (Pagefind weighs h1 7, h2 6, h3 5, squared), so an article about
  // the word ranks above one that mentions it in passing.
  instance.pagefindOptions.ranking = { termFrequency: 0 };
  // On a wide screen the sections stand open beside the results; on a phone they are one closed line above them
  // (opening it as the search loads would push the results down), which counts the sections chosen.
  if (window.matchMedia("(min-width: 64rem)").matches) {
    page.querySelector("pagefind-filter-pane").setAttribute("open", "section");
  }

  /* Return the search box's field (Pagefind draws it anew when the page's language changes). */
  function box() {
    return page.querySelector("pagefind-input input") || {};
  }

  /* Return how many letters to add, drop, change or swap to turn one word into the other. */
  function distance(a, b) {
    var rows = [], i, j;
    for (i = 0; i <= a.length; i++) {
      rows.push([i]);
      for (j = 1; j <= b.length; j++) {
        rows[i][j] = i === 0 ? j : Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1,
          rows[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
        if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
          rows[i][j] = Math.min(rows[i][j], rows[i - 2][j - 2] + 1);
        }
      }
    }
    return rows[a.length][b.length];
  }

  /* Return the site's word closest to a word (one slip in short words, two in long ones), or the word itself. */
  function closest(word) {
    var best = word, least = word.length > 6 ? 3 : 2;
    if (word.length < 4 || words.indexOf(word) >= 0) return word;
    words.forEach(function (known) {
      var d = distance(word, known);
      if (d < least) { best = known; least = d; }
    });
    return best;
  }

  /* Return the forms to try when a search finds nothing: the site's closest words, then each word's first letters. */
  function tolerant(term) {
    var lower = term.toLowerCase(), forms = [];
    [lower.replace(/\p{L}+/gu, closest), lower.replace(/\p{L}{5,}/gu, function (word) {
      return word.slice(0, Math.max(3, Math.ceil(word.length * 0.6)));
    })].forEach(function (form) {
      if (form !== lower && forms.indexOf(form) < 0) forms.push(form);
    });
    return forms;
  }

  instance.on("search", function (term, filters) {
    // The reader's own search; not a retry, nor a section chosen while a retry's results show.
    if (!retrying && (term !== shown || document.activeElement === box())) {
      asked = shown = term;
      retries = tolerant(term);
    } else if (document.activeElement !== box()) {
      box().value = asked;  // the box keeps what the reader wrote (Pagefind wrote the retry's words in it)
    }
    none.hidden = true;
    var address = new URLSearchParams();
    if (asked) address.set("q", asked);
    ((filters || {}).section || []).forEach(function (section) { address.append("section", section); });
    var query = address.toString();
    history.replaceState(history.state, "", window.location.pathname + (query ? "?" + query : ""));
  });

  instance.on("results", function (result) {
    var count = result.results.length;
    if (!asked) return;
    if (count === 0 && retries.length) {
      shown = retries.shift();
      retrying = true;
      instance.triggerSearch(shown);
      retrying = false;
      return;
    }
    none.hidden = count > 0;
    var summary = page.querySelector("pagefind-summary .pf-summary");
    if (shown !== asked && summary) {  // short enough for one line on a phone; the box above still shows the words
      var showing = text(count === 1 ? "showing-one" : "showing-other", { count: count, term: shown });
      var nothing = text("nothing", { term: asked });
      summary.textContent = count ? showing : nothing;
      instance.announceRaw(nothing + "." + (count ? " " + showing + "." : ""));
    }
  });

  var params = new URLSearchParams(window.location.search);
  var query = params.get("q");
  var sections = params.getAll("section");
  if (query) {
    box().value = query;
    instance.triggerSearchWithFilters(query, sections.length ? { section: sections } : {});
  }
})();
