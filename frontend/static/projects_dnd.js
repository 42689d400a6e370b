// Kumo Projects: moving cards and lists, with the mouse or a finger (SortableJS, vendored from
// npm) and with the keyboard. Both end the same way: the move API gets the item's version and
// its new neighbours as the page showed them ({list_id, version, above, below} for a card,
// {version, left, right} for a list); the server puts it between them in one write, or answers
// 409 when the board changed meanwhile, and the board is drawn again from the server.
//
// Keyboard: a card (or a list's grip) is focusable; Space or Enter picks it up, the arrow keys
// move it (up and down within a list, left and right across lists; a list: left and right),
// Space or Enter drops it, Escape puts it back. Each step is announced in words.
//
// Swimlanes: a card dropped into another lane takes that lane's assignee or label, as in GitHub
// Projects (the move API gets {lane: {by, source, target}} and checks the card's version the
// same way). By keyboard, up from a cell's first card (down from its last) goes into the same
// list's cell of the lane above (below); the lane is announced with the position.
(function () {
  "use strict";
  var B = window.KumoBoard;
  if (!B || !B.editable()) { return; }
  var T = B.T;
  var sortables = [];
  var picked = null; // {el, kind, parent, next}
  var moving = false; // the picked element is being put elsewhere in the page: focus leaves it for a moment

  function cardsIn(container) { return Array.prototype.slice.call(container.querySelectorAll(":scope > .board-card")); }
  function listsIn(board) { return Array.prototype.slice.call(board.querySelectorAll(":scope > .board-list[data-list-id]")); }
  function info(el, attr) { return el ? { id: el.getAttribute(attr), rank: el.getAttribute("data-rank") } : null; }
  function laneOf(container) { return container ? container.getAttribute("data-lane") : null; }
  function laneTitle(container) {
    var row = container.closest("tr");
    var head = row && row.querySelector(".lane-title");
    return head ? head.textContent.trim() : "";
  }
  // The same list's cell in the lane above (up) or below, in swimlanes.
  function cellBeside(container, up) {
    var cells = Array.prototype.slice.call(B.region().querySelectorAll("ol[data-cards][data-lane]"))
      .filter(function (ol) { return ol.getAttribute("data-list-id") === container.getAttribute("data-list-id"); });
    return cells[cells.indexOf(container) + (up ? -1 : 1)] || null;
  }
  function listTitle(container) {
    var list = container.closest(".board-list");
    if (list) { return list.getAttribute("data-title"); }
    var cell = container.closest("td");
    return cell ? cell.getAttribute("data-list-title") : "";
  }
  function siblingCard(el, forward) {
    var node = forward ? el.nextElementSibling : el.previousElementSibling;
    while (node && !node.classList.contains("board-card")) { node = forward ? node.nextElementSibling : node.previousElementSibling; }
    return node;
  }
  function siblingList(el, forward) {
    var node = forward ? el.nextElementSibling : el.previousElementSibling;
    while (node && !node.hasAttribute("data-list-id")) { node = forward ? node.nextElementSibling : node.previousElementSibling; }
    return node;
  }

  // After the move (or a refusal) the board is drawn again: the counts, the WIP marks and
  // every other person's changes come with it; the moved card keeps the focus if it had it.
  // What happened is announced once the board shows it.
  function settle(promise, focusCard) {
    B.busy(1);
    return promise.then(null, function (error) {
      return error.status === 409 ? T.conflict : B.fill(T.failed, { message: error.message });
    }).then(function (words) {
      return B.refresh(true, focusCard).catch(function () { /* the next poll redraws it */ })
        .then(function () { B.announce(words); });
    }).then(function () { B.busy(-1); });
  }

  // `from`: the cell the card was taken from (in swimlanes another lane changes the card).
  function saveCard(el, from) {
    var container = el.parentElement;
    var id = el.getAttribute("data-card-id");
    var body = {
      list_id: container.getAttribute("data-list-id"),
      version: Number(el.getAttribute("data-version")),
      above: info(siblingCard(el, false), "data-card-id"),
      below: info(siblingCard(el, true), "data-card-id"),
      from_list_id: from ? from.getAttribute("data-list-id") : null // the same list: a lighter move
    };
    var where = { position: cardsIn(container).indexOf(el) + 1, list: listTitle(container) };
    var words = B.fill(T.moved, where);
    var lane = laneOf(container);
    var grouped = container.closest("[data-lanes-by]");
    if (grouped && lane && laneOf(from) && laneOf(from) !== lane) {
      body.lane = { by: grouped.getAttribute("data-lanes-by"), source: laneOf(from), target: lane };
      where.lane = laneTitle(container);
      words = B.fill(grouped.getAttribute("data-lanes-by") === "label" ? T.moved_label : T.moved_assignee, where);
    }
    var focus = document.activeElement === el
      ? { selector: '.board-card[data-card-id="' + id + '"]', lane: lane } : null;
    return settle(B.api("POST", "/cards/" + encodeURIComponent(id) + "/move", body).then(function () { return words; }), focus);
  }

  function saveList(el) {
    var board = el.parentElement;
    var id = el.getAttribute("data-list-id");
    var body = {
      version: Number(el.getAttribute("data-version")),
      left: info(siblingList(el, false), "data-list-id"),
      right: info(siblingList(el, true), "data-list-id")
    };
    var words = B.fill(T.list_moved, { title: el.getAttribute("data-title"), position: listsIn(board).indexOf(el) + 1 });
    var focus = document.activeElement && el.contains(document.activeElement)
      ? { selector: '.board-list[data-list-id="' + id + '"] [data-list-grip]' } : null;
    return settle(B.api("POST", "/lists/" + encodeURIComponent(id) + "/move", body).then(function () { return words; }), focus);
  }

  // --- the mouse and touch: SortableJS ----------------------------------------------------------
  // forceFallback: Sortable follows the pointer itself instead of the browser's HTML5 drag and
  // drop, so the same code path serves mouse and touch (and browser tests can drive it).
  function bind(region) {
    sortables.forEach(function (s) { s.destroy(); });
    sortables = [];
    if (!window.Sortable) { return; }
    Array.prototype.forEach.call(region.querySelectorAll("ol[data-cards]"), function (ol) {
      var lane = ol.getAttribute("data-lane");
      sortables.push(window.Sortable.create(ol, {
        group: "cards", // across lists, and in swimlanes across lanes (the card takes the lane's assignee or label)
        draggable: ".board-card",
        forceFallback: true,
        fallbackTolerance: 4, // a click on the card's title opens it; only a real drag moves it
        delay: 200, delayOnTouchOnly: true, // a finger swipes the board sideways; a press and hold drags
        animation: 120,
        ghostClass: "card-ghost",
        chosenClass: "card-chosen",
        dragClass: "card-drag",
        onEnd: function (evt) {
          if (evt.from !== evt.to || evt.oldIndex !== evt.newIndex) { saveCard(evt.item, evt.from); }
        }
      }));
    });
    var board = region.querySelector("[data-lists]");
    if (board) {
      sortables.push(window.Sortable.create(board, {
        draggable: ".board-list[data-list-id]",
        handle: ".list-head",
        direction: "horizontal",
        forceFallback: true,
        fallbackTolerance: 4,
        delay: 200, delayOnTouchOnly: true,
        animation: 120,
        ghostClass: "list-ghost",
        onMove: function (evt) { return !evt.related.classList.contains("add-list"); },
        onEnd: function (evt) {
          if (evt.oldIndex !== evt.newIndex) { saveList(evt.item); }
        }
      }));
    }
  }
  bind(B.region());
  B.onSwap(bind);

  // --- the keyboard --------------------------------------------------------------------------------
  function place(parent, el, before, focusEl) {
    moving = true;
    parent.insertBefore(el, before || null);
    (focusEl || el).focus();
    moving = false;
  }

  function containersBeside(el) {
    var container = el.parentElement;
    var lane = container.getAttribute("data-lane");
    var all = Array.prototype.slice.call(B.region().querySelectorAll("ol[data-cards]"));
    return all.filter(function (ol) { return ol.getAttribute("data-lane") === lane; });
  }

  function sayWhere() {
    var el = picked.el;
    if (picked.kind === "list") {
      var lists = listsIn(el.parentElement);
      B.announce(B.fill(T.list_position, { position: lists.indexOf(el) + 1, count: lists.length }));
      return;
    }
    var cards = cardsIn(el.parentElement);
    var where = { position: cards.indexOf(el) + 1, count: cards.length, list: listTitle(el.parentElement) };
    if (laneOf(el.parentElement)) { where.lane = laneTitle(el.parentElement); }
    B.announce(B.fill(where.lane !== undefined ? T.lane_position : T.position, where));
  }

  function pick(el, kind, focusEl) {
    picked = { el: el, kind: kind, parent: el.parentElement, next: el.nextElementSibling, focus: focusEl };
    el.classList.add("is-picked");
    B.busy(1);
    B.announce(B.fill(kind === "list" ? T.list_picked : T.picked, { title: el.getAttribute("data-title") }));
  }

  function release() {
    var was = picked;
    picked = null;
    was.el.classList.remove("is-picked");
    B.busy(-1);
    return was;
  }

  function cancel() {
    var was = release();
    place(was.parent, was.el, was.next, was.focus);
    B.announce(B.fill(T.cancelled, { title: was.el.getAttribute("data-title") }));
  }

  function drop() {
    var was = release();
    if (was.el.parentElement === was.parent && was.el.nextElementSibling === was.next) {
      B.announce(B.fill(T.cancelled, { title: was.el.getAttribute("data-title") }));
      return;
    }
    if (was.kind === "list") { saveList(was.el); } else { saveCard(was.el, was.parent); }
  }

  function step(key) {
    var el = picked.el;
    if (picked.kind === "list") {
      var other = (key === "ArrowLeft" || key === "ArrowRight") && siblingList(el, key === "ArrowRight");
      if (other) { place(el.parentElement, el, key === "ArrowRight" ? other.nextElementSibling : other, picked.focus); }
      sayWhere();
      return;
    }
    if (key === "ArrowUp" || key === "ArrowDown") {
      var near = siblingCard(el, key === "ArrowDown");
      var cell = !near && laneOf(el.parentElement) && cellBeside(el.parentElement, key === "ArrowUp");
      if (near) { place(el.parentElement, el, key === "ArrowDown" ? near.nextElementSibling : near); }
      else if (cell) { place(cell, el, key === "ArrowUp" ? null : cardsIn(cell)[0] || null); }
    } else {
      var row = containersBeside(el);
      var target = row[row.indexOf(el.parentElement) + (key === "ArrowRight" ? 1 : -1)];
      if (target) {
        var index = cardsIn(el.parentElement).indexOf(el);
        place(target, el, cardsIn(target)[index] || null);
      }
    }
    sayWhere();
  }

  document.addEventListener("keydown", function (event) {
    var region = B.region();
    if (picked) {
      if (event.key === " " || event.key === "Enter") { event.preventDefault(); drop(); }
      else if (event.key === "Escape") { event.preventDefault(); cancel(); }
      else if (/^Arrow(Up|Down|Left|Right)$/.test(event.key)) { event.preventDefault(); step(event.key); }
      else if (event.key === "Tab") { event.preventDefault(); }
      return;
    }
    if ((event.key !== " " && event.key !== "Enter") || !region.contains(event.target)) { return; }
    var target = event.target;
    if (target.classList.contains("board-card") && target.hasAttribute("tabindex")) {
      event.preventDefault();
      pick(target, "card", target);
    } else if (target.hasAttribute("data-list-grip")) {
      event.preventDefault();
      pick(target.closest(".board-list"), "list", target);
    }
  });

  // Focus gone elsewhere (a click outside) while something is held: put it back.
  document.addEventListener("focusout", function (event) {
    if (picked && !moving && event.target === picked.focus && event.relatedTarget !== picked.focus) {
      window.setTimeout(function () { if (picked && document.activeElement !== picked.focus) { cancel(); } }, 0);
    }
  });
})();
