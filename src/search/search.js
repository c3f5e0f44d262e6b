/* huibao: the search page's program. Offline: it loads the index's scripts
 * (search/terms-N.js, search/pages-N.js) with <script> tags by relative path, so it works
 * from file://, under any sub-path, with no server. It reads a query exactly as huibao's
 * src/search/tokens.rs reads a text: Han characters in pairs, words and figures whole,
 * full-width forms as half-width ones. */
(function () {
  "use strict";

  var S = (window.huibaoSearch = window.huibaoSearch || {});
  var termShards = {};
  var pageFiles = {};
  S.terms = function (n, terms) {
    termShards[n] = terms;
  };
  S.pages = function (n, pages) {
    pageFiles[n] = pages;
  };

  var box = document.getElementById("huibao-search");
  var input = document.getElementById("huibao-search-input");
  var status = document.getElementById("huibao-search-status");
  var list = document.getElementById("huibao-search-results");
  var data = function (name, otherwise) {
    return (box && parseInt(box.getAttribute(name), 10)) || otherwise;
  };
  var shards = Math.max(1, data("data-shards", 1));
  var perFile = Math.max(1, data("data-per-file", 8));
  var zh = !box || box.getAttribute("data-lang") !== "en";
  var SHOWN_AT_ONCE = 20;
  var SNIPPET = 110;

  var words = zh
    ? {
        prompt: "输入要找的词：村名、政策、数字都可以。",
        loading: "正在查找……",
        found: function (n) {
          return "找到 " + n + " 个页面";
        },
        none: function (q) {
          return "没有找到与「" + q + "」有关的内容。换个词试试，或少输入几个字。";
        },
        failed: "搜索索引没有加载成功：请确认 search 文件夹和本页在一起。",
        more: "显示更多结果",
      }
    : {
        prompt: "Type what to find: a village, a policy, a figure.",
        loading: "Searching…",
        found: function (n) {
          return n === 1 ? "1 page found" : n + " pages found";
        },
        none: function (q) {
          return "Nothing found for “" + q + "”. Try another or a shorter word.";
        },
        failed: "The search index did not load: keep the search folder beside this page.",
        more: "Show more results",
      };

  // ---- Terms, as src/search/tokens.rs makes them ----

  // Made from strings, so that a browser without Unicode classes in its patterns (older
  // than 2018-2020) says so instead of failing to read the program.
  var HAN, ALNUM;
  try {
    HAN = new RegExp(
      "^[\\u3007\\u3400-\\u4dbf\\u4e00-\\u9fff\\uf900-\\ufaff\\u{20000}-\\u{2fa1f}\\u{30000}-\\u{323af}]$",
      "u"
    );
    ALNUM = new RegExp("^[\\p{Alphabetic}\\p{N}]$", "u");
  } catch (e) {
    if (status) {
      status.textContent = zh
        ? "这个浏览器太旧，不能搜索：请用新版的 Chrome、Edge、Firefox 或 360 浏览器（极速模式）打开。"
        : "This browser is too old to search: open the report in a recent Chrome, Edge or Firefox.";
    }
    return;
  }

  function isHan(c) {
    return HAN.test(c);
  }
  function isWordChar(c) {
    return ALNUM.test(c) && !isHan(c);
  }
  function isDigit(c) {
    return c !== undefined && c.length === 1 && c >= "0" && c <= "9";
  }
  function fold(c) {
    var n = c.codePointAt(0);
    if (n === 0xff0c) {
      return c;
    }
    if (n >= 0xff01 && n <= 0xff5e) {
      return String.fromCodePoint(n - 0xfee0);
    }
    if (n === 0x3000) {
      return " ";
    }
    return c;
  }
  // Each character of `text` as searched: folded and lower-cased, or "" for a comma that
  // separates thousands (6,336 is 6336).
  function normalisedChars(text) {
    var chars = Array.from(text, fold);
    return chars.map(function (c, at) {
      var thousands =
        c === "," &&
        isDigit(chars[at - 1]) &&
        isDigit(chars[at + 1]) &&
        isDigit(chars[at + 2]) &&
        isDigit(chars[at + 3]) &&
        !isDigit(chars[at + 4]);
      return thousands ? "" : c.toLowerCase();
    });
  }
  // The terms of a normalised text: {t: term, k: 0 one Han character, 1 two, 2 a word}.
  function terms(normalised) {
    var cs = Array.from(normalised);
    var out = [];
    var i = 0;
    while (i < cs.length) {
      var c = cs[i];
      if (isHan(c)) {
        out.push({ t: c, k: 0, p: i });
        if (i + 1 < cs.length && isHan(cs[i + 1])) {
          out.push({ t: c + cs[i + 1], k: 1, p: i });
        }
        i += 1;
      } else if (ALNUM.test(c)) {
        var start = i;
        var word = c;
        var last = c;
        i += 1;
        while (i < cs.length) {
          var next = cs[i];
          var point = next === "." && isDigit(last) && isDigit(cs[i + 1]);
          if (!isWordChar(next) && !point) {
            break;
          }
          word += next;
          last = next;
          i += 1;
        }
        out.push({ t: word, k: 2, p: start });
      } else {
        i += 1;
      }
    }
    return out;
  }
  // The terms a query is looked up by (tokens.rs `query_terms`).
  function queryTerms(query) {
    var ts = terms(normalisedChars(query).join(""));
    var out = [];
    ts.forEach(function (t, i) {
      var wanted =
        t.k !== 0 ||
        !ts.some(function (o, j) {
          return o.k === 1 && j !== i && (o.p === t.p || o.p + 1 === t.p);
        });
      if (wanted && out.indexOf(t.t) < 0) {
        out.push(t.t);
      }
    });
    return out;
  }
  // The shard of a term: FNV-1a of its UTF-8 bytes (tokens.rs `shard`).
  var utf8 = new TextEncoder();
  function shardOf(term) {
    var hash = 0x811c9dc5;
    var bytes = utf8.encode(term);
    for (var i = 0; i < bytes.length; i++) {
      hash = Math.imul((hash ^ bytes[i]) >>> 0, 0x01000193) >>> 0;
    }
    return hash % shards;
  }

  // For tests: the terms of a query and their shards, as the page computes them.
  S.queryTerms = queryTerms;
  S.decodePostings = function (list) {
    return Array.from(decodePostings(list).entries());
  };
  S.shardOf = function (term, count) {
    var kept = shards;
    shards = count;
    var shard = shardOf(term);
    shards = kept;
    return shard;
  };
  if (!box) {
    return;
  }

  // ---- Loading the index's scripts ----

  var scripts = {};
  function load(file, done) {
    var state = scripts[file];
    if (state === "ok" || state === "failed") {
      done(state === "ok");
      return;
    }
    if (state) {
      state.push(done);
      return;
    }
    scripts[file] = [done];
    var script = document.createElement("script");
    script.src = file;
    script.onload = script.onerror = function (event) {
      var waiting = scripts[file];
      var ok = event.type === "load";
      scripts[file] = ok ? "ok" : "failed";
      waiting.forEach(function (f) {
        f(ok);
      });
    };
    document.head.appendChild(script);
  }
  function loadAll(files, done) {
    var left = files.length;
    var allOk = true;
    if (!left) {
      done(true);
      return;
    }
    files.forEach(function (file) {
      load(file, function (ok) {
        allOk = allOk && ok;
        left -= 1;
        if (left === 0) {
          done(allOk);
        }
      });
    });
  }
  // Loads `files` for search number `mine`, then `then()` — unless a later search started
  // meanwhile, or a file did not load (said on the page).
  function loadForSearch(mine, files, then) {
    loadAll(files, function (ok) {
      if (mine !== generation) {
        return;
      }
      if (!ok) {
        status.textContent = words.failed;
        finish("failed");
        return;
      }
      then();
    });
  }
  function unique(values) {
    return values.filter(function (v, i) {
      return values.indexOf(v) === i;
    });
  }

  // ---- Searching ----

  var current = null; // the query being shown
  var generation = 0; // the number of the search being shown: a later one drops its results
  var loading = false;
  var results = []; // [page, score] of the current query, best first
  var shown = 0;
  var started = 0;

  function postings(term) {
    var shard = termShards[shardOf(term)] || {};
    var out = new Map();
    if (!Object.prototype.hasOwnProperty.call(shard, term)) {
      return out;
    }
    return decodePostings(shard[term]);
  }

  // A term's list as a Map page -> weight (files.rs `push_postings`): (difference from the
  // page before, weight) pairs, a negative number repeating the pair before that many times.
  function decodePostings(list) {
    var out = new Map();
    var page = 0;
    var step = 0;
    var weight = 0;
    var i = 0;
    while (i < list.length) {
      if (list[i] < 0) {
        for (var r = -list[i]; r > 0; r--) {
          page += step;
          out.set(page, weight);
        }
        i += 1;
      } else if (i + 1 < list.length) {
        step = list[i];
        weight = list[i + 1];
        page += step;
        out.set(page, weight);
        i += 2;
      } else {
        break;
      }
    }
    return out;
  }

  function search(query) {
    current = query;
    generation += 1;
    var mine = generation;
    loading = true;
    started = performance.now();
    var qt = queryTerms(query);
    list.innerHTML = "";
    if (!qt.length) {
      status.textContent = query.trim() ? words.none(query.trim()) : words.prompt;
      finish(query.trim() ? "none" : "empty");
      return;
    }
    status.textContent = words.loading;
    box.setAttribute("data-state", "loading");
    var files = unique(
      qt.map(function (t) {
        return "search/terms-" + shardOf(t) + ".js";
      })
    );
    loadForSearch(mine, files, function () {
      var found = null;
      qt.forEach(function (t) {
        var p = postings(t);
        if (found === null) {
          found = p;
          return;
        }
        var both = new Map();
        found.forEach(function (score, page) {
          if (p.has(page)) {
            both.set(page, score + p.get(page));
          }
        });
        found = both;
      });
      results = Array.from(found.entries()).sort(function (a, b) {
        return b[1] - a[1] || a[0] - b[0];
      });
      shown = 0;
      showMore(qt, mine);
    });
  }

  // Shows the next results: loads their pages' files, ranks them by how near their terms
  // are in the text, writes them out.
  function showMore(qt, mine) {
    var query = current;
    loading = true;
    var batch = results.slice(shown, shown + SHOWN_AT_ONCE);
    if (!results.length) {
      status.textContent = words.none(query.trim());
      finish("none");
      return;
    }
    var files = unique(
      batch.map(function (r) {
        return "search/pages-" + Math.floor(r[0] / perFile) + ".js";
      })
    );
    loadForSearch(mine, files, function () {
      var ranked = batch.map(function (r, order) {
        var page = (pageFiles[Math.floor(r[0] / perFile)] || [])[r[0] % perFile] || [
          "",
          "",
          "",
          "",
        ];
        var found = locate(page[3], qt);
        return {
          url: page[0],
          title: page[1],
          place: page[2],
          text: page[3],
          found: found,
          score: r[1] + found.bonus,
          order: order,
        };
      });
      // Equal scores: the page where the words stand out more (the shorter text) first.
      ranked.sort(function (a, b) {
        return b.score - a.score || a.text.length - b.text.length || a.order - b.order;
      });
      var more = list.querySelector(".search-more");
      if (more) {
        more.remove();
      }
      ranked.forEach(function (r) {
        list.appendChild(item(r, qt));
      });
      shown += batch.length;
      if (shown < results.length) {
        var li = document.createElement("li");
        li.className = "search-more";
        var button = document.createElement("button");
        button.type = "button";
        button.textContent = words.more;
        button.addEventListener("click", function () {
          if (!button.disabled) {
            button.disabled = true;
            showMore(qt, mine);
          }
        });
        li.appendChild(button);
        list.appendChild(li);
      }
      status.textContent = words.found(results.length);
      finish("done");
    });
  }

  // The state of the search, how long it took and the index files loaded so far, on the
  // page for tests and benchmarks to read.
  function finish(state) {
    loading = false;
    box.setAttribute("data-state", state);
    box.setAttribute("data-ms", String(Math.round(performance.now() - started)));
    box.setAttribute("data-files", Object.keys(scripts).sort().join(" "));
  }

  // Where the query's terms are in `text`: the characters they cover, the shortest stretch
  // holding all of them, and a bonus for the terms side by side (the query as written) or
  // near each other.
  function locate(text, qt) {
    var originals = Array.from(text);
    var units = normalisedChars(text);
    var covered = new Array(originals.length).fill(false);
    var firsts = []; // per term: the starts of its matches
    qt.forEach(function (term) {
      var want = Array.from(term);
      var starts = [];
      var word = isWordChar(want[0]);
      for (var i = 0; i < units.length; i++) {
        if (units[i] === "") {
          continue;
        }
        var j = i;
        var k = 0;
        while (k < want.length && j < units.length) {
          if (units[j] === "") {
            j += 1;
            continue;
          }
          var u = Array.from(units[j]);
          var same = true;
          for (var x = 0; x < u.length; x++) {
            if (want[k + x] !== u[x]) {
              same = false;
              break;
            }
          }
          if (!same) {
            break;
          }
          k += u.length;
          j += 1;
        }
        if (k < want.length) {
          continue;
        }
        // A word or figure is matched whole, not inside a longer one.
        if (word && ((i > 0 && isWordChar(units[i - 1] || "")) || isWordChar(units[j] || ""))) {
          continue;
        }
        starts.push([i, j]);
        for (var c = i; c < j; c++) {
          covered[c] = true;
        }
      }
      firsts.push(starts);
    });
    // The shortest stretch holding a match of every term.
    var best = null;
    if (firsts.every(function (s) {
      return s.length;
    })) {
      firsts[0].forEach(function (m) {
        var from = m[0];
        var to = m[1];
        for (var t = 1; t < firsts.length; t++) {
          var nearest = null;
          firsts[t].forEach(function (o) {
            var span = Math.max(to, o[1]) - Math.min(from, o[0]);
            if (nearest === null || span < nearest[2]) {
              nearest = [o[0], o[1], span];
            }
          });
          from = Math.min(from, nearest[0]);
          to = Math.max(to, nearest[1]);
        }
        if (best === null || to - from < best[1] - best[0]) {
          best = [from, to];
        }
      });
    }
    var bonus = 0;
    if (best) {
      var length = Array.from(qt.join("")).length;
      var span = best[1] - best[0];
      if (qt.length === 1 || span <= length) {
        bonus = 6;
      } else if (span <= length + 20) {
        bonus = 3;
      }
    }
    return { originals: originals, covered: covered, best: best, bonus: bonus };
  }

  function escapeHtml(text) {
    return text
      .replace(/&/g, "&amp;")
      .replace(/</g, "&lt;")
      .replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;");
  }

  // Characters `from`..`to` of a located text, the matched ones in <mark>.
  function marked(found, from, to) {
    var out = "";
    var open = false;
    for (var i = from; i < to; i++) {
      if (found.covered[i] !== open) {
        out += open ? "</mark>" : "<mark>";
        open = !open;
      }
      var c = found.originals[i];
      out += c === "\n" ? " " : escapeHtml(c);
    }
    return out + (open ? "</mark>" : "");
  }

  // Where a snippet showing the match at `at` starts, at most 30 characters before it: at
  // the start of the match's line (its paragraph, heading or table cell), else at the
  // first start of a sentence in those 30 characters, else of a clause (for the most
  // context), else 30 characters before it.
  function snippetStart(chars, at) {
    var most = Math.max(0, at - 30);
    for (var i = at - 1; i >= most; i--) {
      if (chars[i] === "\n") {
        return i + 1;
      }
    }
    var marks = ["。！？；", "，、：,;"];
    for (var m = 0; m < marks.length; m++) {
      for (var j = most; j < at; j++) {
        if (marks[m].indexOf(chars[j]) >= 0) {
          return j + 1;
        }
      }
    }
    return most;
  }

  function item(r, qt) {
    var li = document.createElement("li");
    li.className = "search-result";
    var a = document.createElement("a");
    a.className = "search-result-link";
    a.href = r.url;
    var title = locate(r.title, qt);
    var total = r.found.originals.length;
    var at = r.found.best ? r.found.best[0] : 0;
    var from = snippetStart(r.found.originals, at);
    var to = Math.min(total, from + SNIPPET);
    var snippet =
      (from > 0 ? "…" : "") + marked(r.found, from, to) + (to < total ? "…" : "");
    a.innerHTML =
      '<span class="search-result-title">' +
      marked(title, 0, title.originals.length) +
      "</span>" +
      (r.place ? '<span class="search-result-place">' + escapeHtml(r.place) + "</span>" : "") +
      '<span class="search-result-snippet">' +
      snippet +
      "</span>";
    li.appendChild(a);
    return li;
  }

  // ---- The page: the query in the address, typing, keys ----

  function queryOfAddress() {
    var q = new URLSearchParams(window.location.search).get("q");
    return q === null ? "" : q;
  }
  function keepInAddress(query) {
    try {
      var url = new URL(window.location.href);
      if (query) {
        url.searchParams.set("q", query);
      } else {
        url.searchParams.delete("q");
      }
      window.history.replaceState(null, "", url.href);
    } catch (e) {
      // Some browsers refuse to change a file:// address; the search works all the same.
    }
  }

  var timer = null;
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      keepInAddress(input.value);
      search(input.value);
    }, 120);
  });
  function links() {
    return Array.prototype.slice.call(list.querySelectorAll("a.search-result-link"));
  }
  input.form.addEventListener("submit", function (event) {
    event.preventDefault();
    var first = links()[0];
    if (current === input.value && loading) {
      return; // its results are on their way
    }
    if (first && current === input.value) {
      window.location.href = first.href;
    } else {
      clearTimeout(timer);
      keepInAddress(input.value);
      search(input.value);
    }
  });
  box.addEventListener("keydown", function (event) {
    var all = links();
    var at = all.indexOf(document.activeElement);
    if (event.key === "ArrowDown") {
      event.preventDefault();
      if (at + 1 < all.length) {
        all[at + 1].focus();
      }
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      if (at > 0) {
        all[at - 1].focus();
      } else {
        input.focus();
      }
    } else if (event.key === "Escape") {
      if (document.activeElement === input && input.value) {
        input.value = "";
        keepInAddress("");
        search("");
      }
      input.focus();
    }
  });

  input.value = queryOfAddress();
  search(input.value);
  if (!input.value) {
    input.focus();
  }
})();
