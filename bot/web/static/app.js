// policybot chat page: asks api/ask (streamed), shows citations with 原文, records 👍/👎. No build step, no CDN.
// Paths are relative, so the page also works behind a proxy under a path prefix.
"use strict";

(() => {
  const CHAT_KEY = "policybot-chat";
  const API_KEY = "policybot-api-key";
  const HISTORY_TURNS = 6;

  const $ = (selector) => document.querySelector(selector);
  const log = $("#log");
  const form = $("#ask");
  const box = $("#question");
  const send = $("#send");
  const status = $("#status");

  let turns = []; // {question, answer?, vote?}, oldest first: the chat's history
  let busy = false;
  let apiKey = localStorage.getItem(API_KEY) || "";

  // -- small helpers ---------------------------------------------------------------------------

  /** An element with attributes and children (strings become text, never HTML). */
  function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs)) {
      if (value === null || value === undefined || value === false) continue;
      if (name === "class") node.className = value;
      else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
      else node.setAttribute(name, value === true ? "" : value);
    }
    for (const child of children.flat()) {
      if (child !== null && child !== undefined && child !== "") {
        node.append(typeof child === "string" ? document.createTextNode(child) : child);
      }
    }
    return node;
  }

  function headers(json = true) {
    const h = json ? { "Content-Type": "application/json" } : {};
    if (apiKey) h.Authorization = `Bearer ${apiKey}`;
    return h;
  }

  function region(scope) {
    return !scope || scope === "national" ? "全国" : scope;
  }

  /** A short name for a cited clause, as the Telegram bot gives it: 贵州 2022届通知 二、6. */
  function sourceTag(c) {
    const place = !c.scope || c.scope === "national"
      ? "全国" : c.scope.replace(/(?:壮族|回族|维吾尔)?自治区$|特别行政区$|省$|市$/, "") || c.scope;
    const cohort = c.title.match(/(20\d{2})\s*届/);
    const year = (c.issued || "").slice(0, 4);
    const when = cohort ? `${cohort[1]}届` : /^\d{4}$/.test(year) ? `${year}年` : "";
    const kind = c.title.trim().match(/(通知|意见|办法|方案|规定|公告|通告|决定|函)$/);
    return [place, when + (kind ? kind[1] : "通知"), c.clause].filter(Boolean).join(" ");
  }

  /** Whether the answer text already holds the quote (an extractive answer does): it is not shown twice. */
  function quotedIn(text, quote) {
    const squash = (s) => s.replace(/\s+/g, "");
    return squash(text).includes(squash(quote));
  }

  function announce(text) {
    status.textContent = "";
    window.setTimeout(() => { status.textContent = text; }, 50);
  }

  function save() {
    try {
      sessionStorage.setItem(CHAT_KEY, JSON.stringify(turns));
    } catch (_) { /* private mode or full: the chat just isn't kept */ }
  }

  async function errorMessage(response) {
    let message = "";
    try {
      message = (await response.json()).error.message;
    } catch (_) { /* not our JSON */ }
    if (response.status === 429) {
      const wait = response.headers.get("Retry-After") || "几";
      return `提问有点快了，请 ${wait} 秒后再试。`;
    }
    if (response.status === 413) return "问题太长了，请精简后再问。";
    if (response.status === 503) return "资料库还没有准备好，请稍后再试。";
    return `抱歉，出了点问题（${response.status}${message ? "：" + message : ""}）。请稍后再试；如果一直不行，可以先咨询学校就业指导中心。`;
  }

  // -- rendering an answer ---------------------------------------------------------------------

  function renderCaveats(answer) {
    const caveats = answer.caveats || [];
    if (!caveats.length) return null;
    return el("div", { class: "caveats", role: "note", "aria-label": "请注意" },
      caveats.map((c) => el("p", {}, el("strong", {}, "请注意："), c.text)));
  }

  async function loadClause(details, citation) {
    const target = details.querySelector(".clause-text");
    if (details.dataset.loaded) return;
    details.dataset.loaded = "1";
    target.setAttribute("aria-busy", "true");
    const path = `api/clauses/${encodeURIComponent(citation.doc)}/${encodeURIComponent(citation.clause)}`;
    try {
      const response = await fetch(path, { headers: headers(false) });
      if (!response.ok) throw new Error(await errorMessage(response));
      const clause = await response.json();
      target.replaceChildren(
        el("span", { class: "clause-head" }, `《${clause.title}》 ${clause.clause}`),
        clause.text,
      );
    } catch (err) {
      delete details.dataset.loaded;
      target.replaceChildren(`原文暂时无法读取：${err.message}`);
    }
    target.removeAttribute("aria-busy");
  }

  function renderCitations(answer) {
    const citations = answer.citations || [];
    if (!citations.length) return null;
    const items = citations.map((c, i) => {
      const details = el("details", { class: "source" },
        el("summary", { "aria-label": `原文：${sourceTag(c)}` }, "原文"),
        el("div", { class: "clause-text" }, "正在读取原文…"));
      details.addEventListener("toggle", () => { if (details.open) loadClause(details, c); });
      return el("li", { class: "cite" },
        el("p", { class: "cite-tag" }, el("span", { class: "num" }, `[${i + 1}]`), sourceTag(c),
          c.doc_number ? el("span", { class: "doc-number" }, ` · ${c.doc_number}`) : null),
        el("p", { class: "cite-meta" }, [`《${c.title}》`, c.issuer, c.issued].filter(Boolean).join(" · ")),
        quotedIn(answer.answer, c.quote) ? null : el("blockquote", { class: "quote" }, `“${c.quote}”`),
        details);
    });
    return el("section", { class: "cites", "aria-label": "来源" }, el("h3", {}, "来源"), el("ol", {}, items));
  }

  async function vote(turn, value, group) {
    const thanks = group.querySelector(".thanks");
    try {
      const response = await fetch("api/feedback", {
        method: "POST", headers: headers(), body: JSON.stringify({ answer_id: turn.answer.id, vote: value }),
      });
      if (response.status === 404) throw new Error("这条回答已过期，无法评价。");
      if (!response.ok) throw new Error(await errorMessage(response));
      turn.vote = value;
      save();
      markVote(group, value);
      thanks.textContent = "谢谢反馈！";
    } catch (err) {
      thanks.textContent = err.message;
    }
  }

  function markVote(group, value) {
    group.querySelector(".up").setAttribute("aria-pressed", String(value === 1));
    group.querySelector(".down").setAttribute("aria-pressed", String(value === -1));
  }

  function renderVote(turn) {
    if (turn.answer.id === undefined || turn.answer.id === null) return null;
    const group = el("div", { class: "vote", role: "group", "aria-label": "这个回答有帮助吗？" },
      el("button", { type: "button", class: "up", "aria-pressed": "false" },
        el("span", { "aria-hidden": "true" }, "👍"), " 有帮助"),
      el("button", { type: "button", class: "down", "aria-pressed": "false" },
        el("span", { "aria-hidden": "true" }, "👎"), " 没帮助"),
      el("span", { class: "thanks", role: "status" }));
    group.querySelector(".up").addEventListener("click", () => vote(turn, 1, group));
    group.querySelector(".down").addEventListener("click", () => vote(turn, -1, group));
    if (turn.vote) markVote(group, turn.vote);
    return group;
  }

  /** The whole answer: caveats first (before any quote), the text, then sources with 原文, then 👍/👎. */
  function renderAnswer(item, turn) {
    const answer = turn.answer;
    item.classList.toggle("declined", !answer.grounded);
    item.removeAttribute("aria-busy");
    const bubble = item.querySelector(".bubble");
    bubble.replaceChildren(...[
      answer.grounded ? null : el("p", { class: "declined-tag" }, "通知中没有找到依据"),
      renderCaveats(answer),
      el("p", { class: "answer-text" }, answer.answer),
      answer.fallback ? el("p", { class: "fallback" }, "（语言模型暂不可用，以上为条款原文摘录。）") : null,
      renderCitations(answer),
      renderVote(turn),
    ].filter(Boolean));
  }

  function renderUser(question) {
    const item = el("li", { class: "turn user" }, el("div", { class: "bubble" },
      el("span", { class: "sr-only" }, "我问："), question));
    log.append(item);
    return item;
  }

  function renderPending() {
    const item = el("li", { class: "turn bot", "aria-busy": "true" },
      el("article", { class: "bubble", "aria-label": "回答" },
        el("p", { class: "answer-text pending" }, "正在查找相关条款")));
    log.append(item);
    return item;
  }

  function renderError(item, message, question) {
    item.removeAttribute("aria-busy");
    const retry = el("button", { type: "button", class: "ghost-dark" }, "重试");
    retry.addEventListener("click", () => { item.previousElementSibling?.remove(); item.remove(); ask(question); });
    item.querySelector(".bubble").replaceChildren(el("p", { class: "error-text" }, message), retry);
    announce(message);
  }

  function askForKey(item, question) {
    item.removeAttribute("aria-busy");
    const keyForm = $("#key-form").content.firstElementChild.cloneNode(true);
    keyForm.addEventListener("submit", (event) => {
      event.preventDefault();
      apiKey = keyForm.elements.key.value.trim();
      localStorage.setItem(API_KEY, apiKey);
      item.previousElementSibling?.remove();
      item.remove();
      ask(question);
    });
    item.querySelector(".bubble").replaceChildren(keyForm);
    keyForm.elements.key.focus();
  }

  // -- asking ----------------------------------------------------------------------------------

  /** Server-sent events from a fetch response: calls onEvent(name, data) for each. */
  async function readEvents(response, onEvent) {
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      buffer += decoder.decode(value || new Uint8Array(), { stream: !done });
      let cut;
      while ((cut = buffer.indexOf("\n\n")) !== -1) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        let name = "message";
        const data = [];
        for (const line of block.split("\n")) {
          if (line.startsWith("event:")) name = line.slice(6).trim();
          else if (line.startsWith("data:")) data.push(line.slice(5).trimStart());
        }
        if (data.length) onEvent(name, JSON.parse(data.join("\n")));
      }
      if (done) return;
    }
  }

  async function ask(question) {
    question = question.trim();
    if (!question || busy) return;
    busy = true;
    send.disabled = true;
    const history = turns.filter((t) => t.answer).slice(-HISTORY_TURNS).map((t) => t.question);
    document.body.classList.add("chatting");
    renderUser(question);
    const item = renderPending();
    item.scrollIntoView({ block: "end" });
    const turn = { question };
    try {
      const response = await fetch("api/ask", {
        method: "POST", headers: headers(), body: JSON.stringify({ question, history, stream: true }),
      });
      if (response.status === 401) {
        askForKey(item, question);
        return;
      }
      if (!response.ok) {
        renderError(item, await errorMessage(response), question);
        return;
      }
      const text = item.querySelector(".answer-text");
      let streamed = "";
      await readEvents(response, (name, data) => {
        if (name === "delta") {
          streamed += data.text;
          text.classList.remove("pending");
          text.textContent = streamed;
        } else if (name === "answer") {
          turn.answer = data;
        } else if (name === "error") {
          throw new Error(data.error.message);
        }
      });
      if (!turn.answer) throw new Error("回答没有完整传回");
      turns.push(turn);
      save();
      renderAnswer(item, turn);
      item.previousElementSibling.scrollIntoView({ block: "start" });
      announce(turn.answer.answer);
    } catch (err) {
      renderError(item, navigator.onLine === false || err instanceof TypeError
        ? "网络连接失败，请检查网络后重试。"
        : `抱歉，出了点问题：${err.message}。请稍后再试。`, question);
    } finally {
      busy = false;
      send.disabled = false;
    }
  }

  // -- the page --------------------------------------------------------------------------------

  async function loadInfo() {
    try {
      const info = await (await fetch("api/info")).json();
      box.maxLength = info.max_question_chars;
      $("#mode").textContent = info.mode === "llm"
        ? "回答由语言模型依据条款撰写，引用的原文均已逐字核对。"
        : "回答由通知条款摘录而成，不经语言模型改写。";
      $("#examples").replaceChildren(...info.examples.map((q) =>
        el("li", {}, el("button", { type: "button", onclick: () => ask(q) }, q))));
    } catch (_) { /* the examples are a convenience */ }
  }

  async function loadSources() {
    const list = $("#sources");
    try {
      const response = await fetch("api/sources");
      if (!response.ok) throw new Error(await errorMessage(response));
      const sources = await response.json();
      $("#coverage-count").textContent = `（${sources.length} 份）`;
      list.replaceChildren(...sources.map((s) => el("li", {},
        `${s.cohort} · ${region(s.scope)} · ${s.title}`,
        el("span", { class: "meta" },
          [s.doc_number || "无文号", s.issuer, `${(s.issued || "").slice(0, 10)} 发布`, `${s.clauses.length} 条`]
            .filter(Boolean).join(" · ")))));
    } catch (err) {
      list.replaceChildren(el("li", {}, `暂时无法读取：${err.message}`));
    }
  }

  function restore() {
    try {
      turns = JSON.parse(sessionStorage.getItem(CHAT_KEY) || "[]");
    } catch (_) {
      turns = [];
    }
    for (const turn of turns) {
      renderUser(turn.question);
      renderAnswer(renderPending(), turn);
    }
    document.body.classList.toggle("chatting", turns.length > 0);
  }

  function grow() {
    box.style.height = "auto";
    box.style.height = `${Math.min(box.scrollHeight, 160)}px`;
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const question = box.value;
    if (!question.trim() || busy) return;
    box.value = "";
    grow();
    ask(question);
    box.focus();
  });
  box.addEventListener("keydown", (event) => {
    // Enter sends; Shift+Enter is a new line; Enter that ends a pinyin composition only confirms it
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  box.addEventListener("input", grow);
  $("#new-chat").addEventListener("click", () => {
    turns = [];
    save();
    log.replaceChildren();
    document.body.classList.remove("chatting");
    announce("已开始新对话。");
    box.focus();
  });

  restore();
  loadInfo();
  loadSources();
})();
