// Room preview page. It reads the room from the path and the bearer token
// from the URL fragment (#token=...), which browsers never send to the
// server, then polls the room's read-back endpoints and renders what
// arrived. Every piece of user content goes into the DOM as text
// (textContent), never as markup, and only http(s) URLs become links or
// images.
'use strict';

(function () {
  const POLL_INTERVAL_MS = 500;
  // The `limit` of each read-back request, the server's maximum. A full
  // page means more items may be waiting, so the next refresh follows at once.
  const PAGE_LIMIT = 1000;
  const MAX_RETRY_DELAY_MS = 5000;
  // Board images sent without a size get this one, in board pixels.
  const DEFAULT_IMAGE_WIDTH = 240;
  const DEFAULT_IMAGE_HEIGHT = 160;
  // The board shrinks to fit the panel's width, but never below a quarter,
  // so one image far to the right does not shrink the others to specks.
  // The panel scrolls sideways to what does not fit.
  const MIN_BOARD_SCALE = 0.25;
  const BULLET = '\u2022';
  const graphemes = typeof Intl === 'object' && typeof Intl.Segmenter === 'function'
    ? new Intl.Segmenter(undefined, { granularity: 'grapheme' }) : null;

  const room = readRoom();
  const token = readToken();

  const streamList = document.getElementById('stream');
  const streamScroller = streamList.parentElement;
  const streamEmpty = document.getElementById('stream-empty');
  const boardPanel = document.getElementById('board');
  const boardEmpty = document.getElementById('board-empty');
  const statusLine = document.getElementById('status');
  const notice = document.getElementById('notice');

  const renderedMessages = new Set();
  const pollsById = new Map();
  const pollTimers = [];
  const boardImages = [];
  const renderedImages = new Set();
  // The cursor of the last item taken from each read-back list. Later
  // refreshes request only the items after it, and null requests the
  // list from its start.
  const cursors = { messages: null, polls: null, board: null };
  let failures = 0;
  // Whether the message list sticks to its newest message. Only scroll
  // events change it, so it stays true while the board, late images or a
  // resize move the list's end without the viewer scrolling.
  let followStream = true;

  function readRoom() {
    const prefix = '/preview/';
    if (!location.pathname.startsWith(prefix)) {
      return null;
    }
    try {
      return decodeURIComponent(location.pathname.slice(prefix.length));
    } catch (error) {
      return null;
    }
  }

  function readToken() {
    const fragment = new URLSearchParams(location.hash.slice(1));
    const value = fragment.get('token');
    return value !== null && value.trim() !== '' ? value.trim() : null;
  }

  // Returns the URL when it is absolute http or https, else null, so that
  // javascript:, data: and relative URLs are never followed or loaded.
  function safeHttpUrl(value) {
    if (typeof value !== 'string') {
      return null;
    }
    let url;
    try {
      url = new URL(value);
    } catch (error) {
      return null;
    }
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  }

  function safeColor(value) {
    return typeof value === 'string' && /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.test(value) ? value : null;
  }

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text !== undefined && text !== null) {
      node.textContent = text;
    }
    return node;
  }

  // Creates an element for text that a webhook sent. dir="auto" takes the
  // direction from the text's first strong character, so Arabic or Hebrew
  // runs right to left next to English.
  function userText(tag, className, text) {
    const node = element(tag, className, text);
    node.dir = 'auto';
    return node;
  }

  function showNotice(text) {
    notice.textContent = text;
    notice.hidden = false;
  }

  function hideNotice() {
    notice.hidden = true;
    notice.textContent = '';
  }

  function setStatus(text, state) {
    statusLine.textContent = text;
    statusLine.dataset.state = state;
  }

  function formatClock(iso) {
    const date = new Date(iso);
    if (Number.isNaN(date.getTime())) {
      return iso;
    }
    return date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  }

  function formatTimeLeft(endsAt, now) {
    const left = Date.parse(endsAt) - now;
    if (Number.isNaN(left)) {
      return 'end time unknown';
    }
    if (left <= 0) {
      return 'ended';
    }
    const minutes = Math.ceil(left / 60000);
    if (minutes < 60) {
      return minutes + ' min left';
    }
    const hours = Math.floor(minutes / 60);
    if (hours < 24) {
      return hours + ' h ' + (minutes % 60) + ' min left';
    }
    return Math.floor(hours / 24) + ' d ' + (hours % 24) + ' h left';
  }

  // Splits a description into paragraphs and bullet lists: lines that
  // start with a bullet (U+2022, as the stayhooks client writes notes)
  // become list items, and other lines keep their line breaks.
  function renderDescription(text) {
    const container = element('div', 'embed-description');
    let paragraph = [];
    let list = null;

    function flushParagraph() {
      if (paragraph.length > 0) {
        container.appendChild(userText('p', 'embed-paragraph', paragraph.join('\n')));
        paragraph = [];
      }
    }

    for (const line of text.split('\n')) {
      if (line.startsWith(BULLET)) {
        flushParagraph();
        if (list === null) {
          list = element('ul', 'embed-bullets');
          container.appendChild(list);
        }
        list.appendChild(userText('li', 'embed-bullet', line.slice(BULLET.length).trim()));
        continue;
      }
      list = null;
      if (line.trim() === '') {
        flushParagraph();
      } else {
        paragraph.push(line);
      }
    }
    flushParagraph();
    return container;
  }

  function renderEmbed(embed) {
    const card = element('article', 'embed');
    const color = safeColor(embed.color);
    if (color !== null) {
      card.style.setProperty('--embed-color', color);
    }

    if (typeof embed.title === 'string') {
      const href = safeHttpUrl(embed.url);
      let title;
      if (href !== null) {
        title = userText('a', 'embed-title', embed.title);
        title.href = href;
        title.target = '_blank';
        title.rel = 'noopener noreferrer nofollow';
      } else {
        title = userText('span', 'embed-title', embed.title);
      }
      card.appendChild(title);
    }
    if (typeof embed.description === 'string') {
      card.appendChild(renderDescription(embed.description));
    }
    if (embed.image !== undefined && embed.image !== null) {
      const src = safeHttpUrl(embed.image);
      if (src !== null) {
        const image = element('img', 'embed-image');
        image.alt = typeof embed.title === 'string' ? embed.title : 'embed image';
        image.referrerPolicy = 'no-referrer';
        image.src = src;
        card.appendChild(image);
      } else {
        card.appendChild(element('p', 'blocked', 'image not shown: not an http(s) URL'));
      }
    }
    if (typeof embed.footer === 'string') {
      card.appendChild(userText('footer', 'embed-footer', embed.footer));
    }
    return card;
  }

  function renderPoll(poll) {
    const card = element('section', 'poll');
    card.dataset.pollId = poll.id;
    card.appendChild(userText('h3', 'poll-question', poll.question));

    const kind = poll.multipleChoice ? 'multiple choice' : 'single choice';
    card.appendChild(element('span', 'poll-kind', kind));
    card.dataset.multipleChoice = String(Boolean(poll.multipleChoice));

    const options = element('ul', 'poll-options');
    for (const option of poll.options) {
      const item = element('li', 'poll-option');
      item.appendChild(element('span', poll.multipleChoice ? 'poll-marker box' : 'poll-marker dot'));
      item.appendChild(userText('span', 'poll-option-text', option));
      options.appendChild(item);
    }
    card.appendChild(options);

    const time = element('p', 'poll-time');
    if (typeof poll.endsAt === 'string') {
      time.dataset.endsAt = poll.endsAt;
      time.textContent = formatTimeLeft(poll.endsAt, Date.now());
      pollTimers.push(time);
    } else {
      time.textContent = 'no end time';
    }
    card.appendChild(time);
    return card;
  }

  // Returns the first user-perceived character (grapheme cluster) of a
  // name, so that a joined emoji or a flag is not cut into code points.
  // Browsers without Intl.Segmenter get the first code point.
  function initials(name) {
    const trimmed = name.trim();
    let first;
    if (graphemes !== null) {
      const next = graphemes.segment(trimmed)[Symbol.iterator]().next();
      first = next.done ? undefined : next.value.segment;
    } else {
      first = Array.from(trimmed)[0];
    }
    return first !== undefined ? first.toUpperCase() : '?';
  }

  function renderMessage(message, poll) {
    const item = element('li', 'message kind-' + message.kind);
    item.dataset.id = message.id;
    item.dataset.kind = message.kind;

    const alias = typeof message.alias === 'string' && message.alias.trim() !== ''
      ? message.alias : null;
    item.appendChild(element('div', 'avatar', alias !== null ? initials(alias) : 'W'));

    const bubble = element('div', 'bubble');
    const meta = element('div', 'meta');
    meta.appendChild(userText('span', alias !== null ? 'alias' : 'alias alias-default',
      alias !== null ? alias : 'Webhook ' + message.webhookId));
    const time = element('time', 'time', formatClock(message.createdAt));
    time.dateTime = message.createdAt;
    time.title = message.createdAt;
    meta.appendChild(time);
    bubble.appendChild(meta);

    if (typeof message.text === 'string') {
      bubble.appendChild(userText('p', 'text', message.text));
    }
    if (message.embed !== null && typeof message.embed === 'object') {
      bubble.appendChild(renderEmbed(message.embed));
    }
    if (poll !== undefined) {
      bubble.appendChild(renderPoll(poll));
    }
    item.appendChild(bubble);
    return item;
  }

  function isScrolledToEnd(node) {
    return node.scrollHeight - node.scrollTop - node.clientHeight < 40;
  }

  function keepStreamAtEnd() {
    if (followStream) {
      streamScroller.scrollTop = streamScroller.scrollHeight;
    }
  }

  // Keeps the list at its end through every later height change. A scroll
  // right after rendering is not enough, because in the one-column layout
  // the board renders below the list and shrinks it, and embed images load
  // after the scroll and grow it.
  function followStreamEnd() {
    // Only a move up turns following off, because the scroll event of the
    // page's own jump to the end can arrive after an image grew the list.
    let lastScrollTop = streamScroller.scrollTop;
    streamScroller.addEventListener('scroll', function () {
      const scrollTop = streamScroller.scrollTop;
      if (isScrolledToEnd(streamScroller)) {
        followStream = true;
      } else if (scrollTop < lastScrollTop) {
        followStream = false;
      } else {
        keepStreamAtEnd();
      }
      lastScrollTop = streamScroller.scrollTop;
    });
    // The load event does not bubble, so it is caught on the way down.
    streamList.addEventListener('load', keepStreamAtEnd, true);
    if (typeof ResizeObserver === 'function') {
      const observer = new ResizeObserver(keepStreamAtEnd);
      observer.observe(streamScroller);
      observer.observe(streamList);
    }
  }

  // Renders the new messages in order and moves the message cursor past
  // each one rendered.
  function renderMessages(reply) {
    let complete = true;
    for (const message of reply.messages) {
      // The poll list is fetched next to the messages and may miss a
      // poll stored in between, so stop here and keep the order. The
      // cursor stays before this message, so the next refresh fetches it
      // again and renders it once its poll has arrived.
      let poll;
      if (message.kind === 'poll') {
        poll = pollsById.get(message.pollId);
        if (poll === undefined) {
          complete = false;
          break;
        }
      }
      if (!renderedMessages.has(message.id)) {
        streamList.appendChild(renderMessage(message, poll));
        renderedMessages.add(message.id);
      }
      cursors.messages = message.cursor;
    }
    if (complete) {
      cursors.messages = reply.cursor;
    }

    streamEmpty.hidden = renderedMessages.size > 0;
  }

  function boardExtent(images) {
    let width = 1;
    let height = 1;
    for (const image of images) {
      width = Math.max(width, image.x + image.w);
      height = Math.max(height, image.y + image.h);
    }
    return { width: width, height: height };
  }

  // Returns the width of the board panel's content box. It is measured on
  // the panel, not on the board, because the board's own width is set
  // from the scale computed here.
  function boardAvailableWidth() {
    const container = boardPanel.parentElement;
    const style = getComputedStyle(container);
    return container.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  }

  // Places each image at its x/y and size in board pixels, scaled down so
  // the whole board fits the panel's width, down to MIN_BOARD_SCALE.
  // Scaling never enlarges.
  function layoutBoard() {
    const extent = boardExtent(boardImages);
    const available = Math.max(boardAvailableWidth(), 1);
    const scale = Math.max(MIN_BOARD_SCALE, Math.min(1, available / extent.width));

    boardPanel.style.width = Math.max(available, Math.ceil(extent.width * scale)) + 'px';
    boardPanel.style.height = Math.ceil(extent.height * scale) + 'px';
    boardPanel.dataset.scale = String(scale);
    for (const image of boardImages) {
      const node = image.node;
      node.style.left = image.x * scale + 'px';
      node.style.top = image.y * scale + 'px';
      node.style.width = image.w * scale + 'px';
      node.style.height = image.h * scale + 'px';
    }
  }

  function integerOr(value, fallback) {
    return Number.isInteger(value) ? value : fallback;
  }

  function placeBoardImage(image) {
    const src = safeHttpUrl(image.url);
    let node;
    if (src !== null) {
      node = element('img', 'board-image');
      node.alt = 'board image ' + image.id;
      node.referrerPolicy = 'no-referrer';
      node.src = src;
    } else {
      node = element('div', 'board-image blocked', 'image not shown: not an http(s) URL');
    }
    node.dataset.id = image.id;
    node.title = image.url;
    return {
      node: node,
      x: integerOr(image.x, 0),
      y: integerOr(image.y, 0),
      w: integerOr(image.w, DEFAULT_IMAGE_WIDTH),
      h: integerOr(image.h, DEFAULT_IMAGE_HEIGHT),
    };
  }

  // Appends the new board images. Images are positioned absolutely, so
  // the ones already shown stay where they are, and only the scale and
  // the board's size change.
  function renderBoard(reply) {
    for (const image of reply.images) {
      if (renderedImages.has(image.id)) {
        continue;
      }
      const placed = placeBoardImage(image);
      boardImages.push(placed);
      renderedImages.add(image.id);
      boardPanel.appendChild(placed.node);
    }
    cursors.board = reply.cursor;
    boardEmpty.hidden = boardImages.length > 0;
    boardPanel.hidden = boardImages.length === 0;
    layoutBoard();
  }

  function updatePollTimes() {
    const now = Date.now();
    for (const time of pollTimers) {
      time.textContent = formatTimeLeft(time.dataset.endsAt, now);
    }
  }

  class ReadBackError extends Error {
    constructor(status, message) {
      super(message);
      this.status = status;
    }
  }

  // Fetches the items of one read-back list after its cursor, at most
  // PAGE_LIMIT of them.
  async function fetchReadBack(kind) {
    const query = new URLSearchParams({ limit: String(PAGE_LIMIT) });
    if (cursors[kind] !== null) {
      query.set('after', String(cursors[kind]));
    }
    const path = '/api/rooms/' + encodeURIComponent(room) + '/' + kind + '?' + query;
    const response = await fetch(path, {
      headers: { Authorization: 'Bearer ' + token, Accept: 'application/json' },
      cache: 'no-store',
      credentials: 'omit',
    });
    let body = null;
    try {
      body = await response.json();
    } catch (error) {
      body = null;
    }
    if (!response.ok) {
      const reason = body !== null && typeof body.error === 'string' ? body.error : response.statusText;
      throw new ReadBackError(response.status, 'GET ' + kind + ' failed with ' + response.status +
        ': ' + reason);
    }
    if (body === null) {
      throw new ReadBackError(response.status, 'GET ' + kind + ' returned no JSON');
    }
    if (!Number.isInteger(body.cursor)) {
      throw new ReadBackError(response.status, 'GET ' + kind + ' returned no cursor');
    }
    return body;
  }

  // Fetches and renders what arrived since the last refresh. Returns true
  // when a list filled its page and moved its cursor, so more may wait.
  async function refresh() {
    const before = Object.assign({}, cursors);
    const replies = await Promise.all([
      fetchReadBack('messages'), fetchReadBack('polls'), fetchReadBack('board'),
    ]);
    for (const poll of replies[1].polls) {
      pollsById.set(poll.id, poll);
    }
    cursors.polls = replies[1].cursor;
    renderMessages(replies[0]);
    renderBoard(replies[2]);
    updatePollTimes();
    keepStreamAtEnd();

    const lists = [[replies[0].messages, 'messages'], [replies[1].polls, 'polls'],
      [replies[2].images, 'board']];
    return lists.some(function (entry) {
      return entry[0].length >= PAGE_LIMIT && cursors[entry[1]] !== before[entry[1]];
    });
  }

  async function pollLoop() {
    let delay = POLL_INTERVAL_MS;
    try {
      if (await refresh()) {
        delay = 0;
      }
      failures = 0;
      hideNotice();
      setStatus('live', 'live');
    } catch (error) {
      // A rejected token or an unknown room will not fix itself, so
      // polling stops there. Other failures retry with a growing delay.
      // The read-back routes check the token before the room, so a 404
      // means the token was accepted and the room ID in the address is wrong.
      if (error instanceof ReadBackError && error.status === 404) {
        setStatus('stopped', 'error');
        showNotice('Room "' + room + '" was not found on this server (' + error.message +
          '). Check the room ID in the page address.');
        return;
      }
      if (error instanceof ReadBackError && [401, 403].includes(error.status)) {
        setStatus('stopped', 'error');
        showNotice(error.message + '. Open the page again with a valid token: ' +
          '#token=... (mint one with stayhooks-server token USER).');
        return;
      }
      failures++;
      delay = Math.min(MAX_RETRY_DELAY_MS, POLL_INTERVAL_MS * 2 ** failures);
      setStatus('reconnecting', 'error');
      showNotice(error.message + '. Retrying in ' + Math.round(delay / 100) / 10 + ' s.');
    }
    setTimeout(pollLoop, delay);
  }

  function start() {
    // The token lives in the fragment, so a new one arrives without a
    // request. Reloading starts over with it.
    window.addEventListener('hashchange', function () {
      location.reload();
    });
    if (room === null || room === '') {
      setStatus('stopped', 'error');
      showNotice('The page address must be /preview/ROOM.');
      return;
    }
    document.getElementById('room-name').textContent = room;
    document.title = room + ' - room preview';
    if (token === null) {
      setStatus('no token', 'error');
      showNotice('No token in the address. Add #token=TOKEN to it; mint one with ' +
        'stayhooks-server token USER.');
      return;
    }
    window.addEventListener('resize', layoutBoard);
    followStreamEnd();
    pollLoop();
  }

  start();
}());
