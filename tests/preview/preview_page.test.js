// Opens the room preview page in headless Chromium through playwright-core
// and checks through the DOM that it shows what test_preview_page.sh
// delivered. Run by that script, which sets the PREVIEW_* variables.
//
// Requests to any host other than the test server never leave the
// browser. This script fulfils board and embed image requests with a
// generated SVG, and Chromium's resolver maps every other host to "not
// found".
'use strict';

const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const { chromium } = require('playwright-core');

const PAGE_TIMEOUT_MS = 10000;
// The page polls every 500 ms, so a delivery must show within one second.
const LIVE_UPDATE_LIMIT_MS = 1000;

const env = readEnvironment([
  'PREVIEW_BASE_URL', 'PREVIEW_ROOM', 'PREVIEW_TOKEN_FILE', 'PREVIEW_SECRET_FILE',
  'PREVIEW_CLI', 'PREVIEW_CHROMIUM', 'PREVIEW_SCREENSHOT',
]);
const token = fs.readFileSync(env.PREVIEW_TOKEN_FILE, 'utf8').trim();
const origin = new URL(env.PREVIEW_BASE_URL).origin;
const pageUrl = origin + '/preview/' + encodeURIComponent(env.PREVIEW_ROOM);
const apiBase = origin + '/api/rooms/' + encodeURIComponent(env.PREVIEW_ROOM);

const failures = [];

function readEnvironment(names) {
  const values = {};
  for (const name of names) {
    if (!process.env[name]) {
      console.error('FAIL: ' + name + ' is not set; run this through test_preview_page.sh');
      process.exit(1);
    }
    values[name] = process.env[name];
  }
  return values;
}

function check(condition, message) {
  if (!condition) {
    failures.push(message);
    console.error('FAIL: ' + message);
  }
}

function checkEqual(actual, expected, what) {
  const same = JSON.stringify(actual) === JSON.stringify(expected);
  check(same, what + ': expected ' + JSON.stringify(expected) + ', got ' + JSON.stringify(actual));
}

function near(actual, expected) {
  return Math.abs(actual - expected) <= 1.5;
}

// An image for every outside URL, labelled with its file name so the
// screenshot shows which is which.
function placeholderSvg(url) {
  const name = new URL(url).pathname.split('/').pop();
  return '<svg xmlns="http://www.w3.org/2000/svg" width="360" height="240" viewBox="0 0 360 240">' +
    '<defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1">' +
    '<stop offset="0" stop-color="#6366f1"/><stop offset="1" stop-color="#22c55e"/>' +
    '</linearGradient></defs><rect width="360" height="240" fill="url(#g)"/>' +
    '<text x="180" y="130" font-size="28" text-anchor="middle" fill="#fff" ' +
    'font-family="sans-serif">' + name + '</text></svg>';
}

async function readBack(kind) {
  const response = await fetch(apiBase + '/' + kind, {
    headers: { Authorization: 'Bearer ' + token },
  });
  if (!response.ok) {
    throw new Error('GET ' + kind + ' returned ' + response.status);
  }
  return response.json();
}

// Records what a page does that the checks look at afterwards.
function watchPage(page, record) {
  page.on('dialog', function (dialog) {
    record.dialogs.push(dialog.message());
    dialog.dismiss().catch(function () {});
  });
  page.on('pageerror', function (error) {
    record.pageErrors.push(String(error));
  });
  page.on('console', function (message) {
    if (message.type() === 'error') {
      record.consoleErrors.push(message.text());
    }
  });
  page.on('framenavigated', function (frame) {
    if (frame === page.mainFrame()) {
      record.navigations++;
    }
  });
  page.on('request', function (request) {
    record.requests.push({ url: request.url(), headers: request.headers() });
  });
}

function newRecord() {
  return { dialogs: [], pageErrors: [], consoleErrors: [], requests: [], navigations: 0 };
}

async function routeOutsideRequests(context, outsideUrls) {
  await context.route('**/*', function (route) {
    const url = route.request().url();
    if (url.startsWith(origin + '/')) {
      return route.continue();
    }
    outsideUrls.push(url);
    if (route.request().resourceType() === 'image') {
      return route.fulfill({ status: 200, contentType: 'image/svg+xml', body: placeholderSvg(url) });
    }
    return route.abort('blockedbyclient');
  });
}

async function checkHeaders(response) {
  const headers = response.headers();
  const policy = headers['content-security-policy'] || '';
  check(response.status() === 200, 'the page returned ' + response.status());
  check(/script-src 'self'(;|$)/.test(policy), 'CSP limits scripts to the server: ' + policy);
  check(!policy.includes('unsafe-inline'), 'CSP allows no inline code: ' + policy);
  check(policy.includes("frame-ancestors 'none'"), 'CSP forbids framing: ' + policy);
  checkEqual(headers['x-content-type-options'], 'nosniff', 'X-Content-Type-Options');
  checkEqual(headers['referrer-policy'], 'no-referrer', 'Referrer-Policy');
  check((headers['content-type'] || '').startsWith('text/html'), 'page Content-Type is HTML');
}

async function checkMessage(page, message) {
  const item = page.locator('li.message[data-id="' + message.id + '"]');
  checkEqual(await item.locator('.alias').textContent(), 'Build bot', 'message alias');
  checkEqual(await item.locator('.text').textContent(), 'Build 42 passed\nAll 118 tests green',
    'message text');
  // innerText follows CSS, so a newline there means the break is shown.
  checkEqual(await item.locator('.text').innerText(), 'Build 42 passed\nAll 118 tests green',
    'message text as rendered, line break kept');
  checkEqual(await item.locator('time').getAttribute('datetime'), message.createdAt,
    'message time');
  check((await item.locator('time').textContent()).trim() !== '', 'message time is shown');
}

async function checkEmbed(page, message) {
  const item = page.locator('li.message[data-id="' + message.id + '"]');
  const card = item.locator('.embed');
  checkEqual(await item.locator('.alias').textContent(), 'Release bot', 'embed alias');
  checkEqual(await item.locator('.text').textContent(), 'Release notes', 'embed message text');

  const title = card.locator('.embed-title');
  checkEqual(await title.evaluate(function (node) { return node.tagName; }), 'A',
    'embed title is a link');
  checkEqual(await title.textContent(), 'Release 1.2 shipped', 'embed title');
  checkEqual(await title.getAttribute('href'), 'https://example.test/releases/1.2', 'embed link');
  checkEqual(await card.locator('.embed-paragraph').allTextContents(), ['Rollout complete'],
    'embed description');
  checkEqual(await card.locator('.embed-bullet').allTextContents(),
    ['Latency < 180 ms', 'Docs refreshed'], 'embed bullet lines');
  checkEqual(await card.locator('.embed-footer').textContent(), 'deployed by CI', 'embed footer');
  checkEqual(await card.evaluate(function (node) { return getComputedStyle(node).borderLeftColor; }),
    'rgb(34, 197, 94)', 'embed colour bar');

  const image = card.locator('img.embed-image');
  checkEqual(await image.getAttribute('src'), 'https://images.example.test/banner.svg',
    'embed image');
  check(await image.evaluate(function (node) { return node.complete && node.naturalWidth > 0; }),
    'embed image loaded');
}

async function checkPoll(page, message, poll) {
  const card = page.locator('li.message[data-id="' + message.id + '"] .poll');
  checkEqual(await card.getAttribute('data-poll-id'), poll.id, 'poll card ID');
  checkEqual(await card.locator('.poll-question').textContent(), 'Which feature ships next?',
    'poll question');
  checkEqual(await card.locator('.poll-option-text').allTextContents(),
    ['Docs revamp', 'AI assistant', 'Canvas refresh'], 'poll options');
  checkEqual(await card.locator('.poll-kind').textContent(), 'multiple choice',
    'poll multiple-choice marker');
  checkEqual(await card.locator('.poll-marker.box').count(), 3, 'poll options show check boxes');
  const timeLeft = await card.locator('.poll-time').textContent();
  check(/^(29|30) min left$/.test(timeLeft), 'poll time left is 29 or 30 minutes: ' + timeLeft);
}

async function checkBoard(page, images) {
  const placed = await page.evaluate(function () {
    const board = document.getElementById('board');
    const frame = board.getBoundingClientRect();
    return {
      scale: Number(board.dataset.scale),
      width: board.clientWidth,
      images: Array.from(board.querySelectorAll('img.board-image')).map(function (node) {
        const box = node.getBoundingClientRect();
        return {
          id: node.dataset.id,
          src: node.getAttribute('src'),
          loaded: node.complete && node.naturalWidth > 0,
          left: box.left - frame.left - board.clientLeft,
          top: box.top - frame.top - board.clientTop,
          width: box.width,
          height: box.height,
        };
      }),
    };
  });

  checkEqual(placed.images.length, images.length, 'board image count');
  const extent = Math.max.apply(null, images.map(function (image) { return image.x + image.w; }));
  const scale = Math.min(1, placed.width / extent);
  check(near(placed.scale * 1000, scale * 1000),
    'board scale fits the panel: expected ' + scale + ', got ' + placed.scale);

  for (const image of images) {
    const shown = placed.images.find(function (candidate) { return candidate.id === image.id; });
    if (shown === undefined) {
      check(false, 'board image ' + image.url + ' is shown');
      continue;
    }
    checkEqual(shown.src, image.url, 'board image URL');
    check(shown.loaded, 'board image ' + image.url + ' loaded');
    const expected = { left: image.x * scale, top: image.y * scale,
      width: image.w * scale, height: image.h * scale };
    for (const key of Object.keys(expected)) {
      check(near(shown[key], expected[key]), 'board image ' + image.url + ' ' + key +
        ': expected ' + expected[key].toFixed(1) + ', got ' + shown[key].toFixed(1));
    }
    check(shown.left + shown.width <= placed.width + 1, 'board image ' + image.url +
      ' fits inside the panel');
  }
}

async function checkInjection(page, message, record) {
  const item = page.locator('li.message[data-id="' + message.id + '"]');
  checkEqual(await item.locator('.text').textContent(), '<script>alert(1)</script>',
    'script message shown as literal text');
  checkEqual(await item.locator('.alias').textContent(), '<img src=x onerror=alert(2)>',
    'markup alias shown as literal text');
  const dom = await page.evaluate(function () {
    return {
      scripts: Array.from(document.scripts).map(function (node) { return node.src; }),
      imagesWithHandlers: document.querySelectorAll('[onerror], [onload]').length,
      stray: document.querySelectorAll('.stream script, .stream img:not(.embed-image)').length,
    };
  });
  checkEqual(dom.scripts, [origin + '/preview/assets/app.js'], 'only the page script exists');
  checkEqual(dom.imagesWithHandlers, 0, 'no element has an event handler attribute');
  checkEqual(dom.stray, 0, 'no script or image element came from message text');
  checkEqual(record.dialogs, [], 'no alert dialog opened');
}

// Sends one more message with the CLI and measures how long the open page
// takes to show it.
async function checkLiveUpdate(page, record) {
  const text = 'Live update ' + Date.now();
  const navigationsBefore = record.navigations;
  await page.evaluate(function () { window.previewTestMarker = 'kept'; });

  execFileSync(env.PREVIEW_CLI, ['--secret-file', env.PREVIEW_SECRET_FILE, 'send', 'message', text],
    { stdio: ['ignore', 'ignore', 'inherit'] });
  const sent = Date.now();
  await page.waitForFunction(function (expected) {
    return Array.from(document.querySelectorAll('li.message .text')).some(function (node) {
      return node.textContent === expected;
    });
  }, text, { timeout: PAGE_TIMEOUT_MS, polling: 20 });
  const elapsed = Date.now() - sent;

  console.log('live update shown ' + elapsed + ' ms after the CLI returned');
  check(elapsed <= LIVE_UPDATE_LIMIT_MS, 'live update took ' + elapsed + ' ms, limit ' +
    LIVE_UPDATE_LIMIT_MS + ' ms');
  checkEqual(record.navigations, navigationsBefore, 'no navigation during the live update');
  checkEqual(await page.evaluate(function () { return window.previewTestMarker; }), 'kept',
    'page was not reloaded');
  const last = await page.locator('li.message').last().locator('.text').textContent();
  checkEqual(last, text, 'live update is the last message');
}

// Returns the URLs of the page's calls to one read-back list, in order.
function readBackCalls(record, kind) {
  const path = new URL(apiBase + '/' + kind).pathname;
  return record.requests.map(function (request) { return new URL(request.url); })
    .filter(function (url) { return url.pathname === path; });
}

// After the first load the page must request only the items after the
// cursor it last received, so it never fetches the history again.
async function checkIncrementalRequests(page, record) {
  const latest = await readBack('messages');
  const messagesPath = new URL(apiBase + '/messages').pathname;
  // The page refreshes every 500 ms, so a call with the newest cursor,
  // the live update's, follows within a second.
  try {
    await page.waitForRequest(function (request) {
      const url = new URL(request.url());
      return url.pathname === messagesPath && url.searchParams.get('after') === String(latest.cursor);
    }, { timeout: PAGE_TIMEOUT_MS });
  } catch (error) {
    check(false, 'no messages call with after=' + latest.cursor + ' (the newest cursor) within ' +
      PAGE_TIMEOUT_MS + ' ms');
  }

  for (const kind of ['messages', 'polls', 'board']) {
    const calls = readBackCalls(record, kind);
    check(calls.length >= 2, 'the page called ' + kind + ' more than once: ' + calls.length);
    if (calls.length === 0) {
      continue;
    }
    checkEqual(calls[0].searchParams.has('after'), false, 'first ' + kind + ' call starts at the beginning');
    const later = calls.slice(1).map(function (url) { return url.searchParams.getAll('after'); });
    check(later.every(function (values) { return values.length === 1 && /^[0-9]+$/.test(values[0]); }),
      'every later ' + kind + ' call asks for items after a cursor: ' + JSON.stringify(later));
    const numbers = later.map(function (values) { return Number(values[0]); });
    check(numbers.every(function (value, index) { return index === 0 || value >= numbers[index - 1]; }),
      kind + ' cursor never moves back: ' + JSON.stringify(numbers));
    check(calls.every(function (url) { return url.searchParams.get('limit') === '1000'; }),
      'every ' + kind + ' call sets limit=1000');
  }
}

function checkRequests(record, outsideUrls) {
  const expectedOutside = [
    'https://images.example.test/banner.svg',
    'https://images.example.test/cat.svg',
    'https://images.example.test/dog.svg',
  ];
  checkEqual(Array.from(new Set(outsideUrls)).sort(), expectedOutside,
    'only webhook images are fetched from other hosts');
  const apiCalls = record.requests.filter(function (request) {
    return request.url.startsWith(origin + '/api/');
  });
  check(apiCalls.length >= 3, 'the page called the read-back endpoints');
  for (const call of apiCalls) {
    checkEqual(call.headers.authorization, 'Bearer ' + token,
      'Authorization header on ' + new URL(call.url).pathname);
  }
  check(record.requests.every(function (request) { return !request.url.includes(token); }),
    'no request URL sent to the server contains the token');
  checkEqual(record.pageErrors, [], 'uncaught page errors');
  checkEqual(record.consoleErrors, [], 'console errors, including CSP violations');
}

// Serves crafted read-back replies with javascript: URLs, which the server
// itself rejects, to check that the page still makes no link or image of them.
async function checkUnsafeUrls(context) {
  const page = await context.newPage();
  const record = newRecord();
  watchPage(page, record);
  const createdAt = new Date().toISOString();
  const replies = {
    messages: { roomId: env.PREVIEW_ROOM, messages: [{
      id: 'msg_unsafe', webhookId: 'wh_test', kind: 'embed', alias: null, text: null,
      pollId: null, createdAt: createdAt,
      embed: { title: 'Unsafe link', url: 'javascript:alert(3)', image: 'javascript:alert(4)' },
    }] },
    polls: { roomId: env.PREVIEW_ROOM, polls: [] },
    board: { roomId: env.PREVIEW_ROOM, images: [{
      id: 'img_unsafe', webhookId: 'wh_test', url: 'javascript:alert(5)',
      w: 100, h: 100, x: 0, y: 0, createdAt: createdAt,
    }] },
  };
  await routeCraftedReplies(page, replies);

  await page.goto(pageUrl + '#token=' + encodeURIComponent(token));
  const item = page.locator('li.message[data-id="msg_unsafe"]');
  await item.waitFor({ timeout: PAGE_TIMEOUT_MS });
  await page.locator('#board .board-image').first().waitFor({ timeout: PAGE_TIMEOUT_MS });

  checkEqual(await item.locator('.embed-title').evaluate(function (node) { return node.tagName; }),
    'SPAN', 'javascript: embed URL is not a link');
  checkEqual(await item.locator('.embed-title').textContent(), 'Unsafe link', 'unsafe embed title');
  checkEqual(await page.locator('a[href^="javascript:"], img[src^="javascript:"]').count(), 0,
    'no javascript: link or image');
  checkEqual(await item.locator('img').count(), 0, 'javascript: embed image is not loaded');
  checkEqual(await page.locator('#board img').count(), 0, 'javascript: board image is not loaded');
  checkEqual(await page.locator('#board .blocked').count(), 1, 'blocked board image is marked');
  checkEqual(record.dialogs, [], 'no alert from javascript: URLs');
  check(record.requests.every(function (request) { return !request.url.startsWith('javascript:'); }),
    'no javascript: request');
  await page.close();
}

// Without a token the page explains how to get one and calls no endpoint.
// With a rejected token it shows the server's reason and stops polling.
async function checkTokenErrors(context) {
  const page = await context.newPage();
  const record = newRecord();
  watchPage(page, record);

  await page.goto(pageUrl);
  await page.locator('#notice').waitFor({ timeout: PAGE_TIMEOUT_MS });
  check((await page.locator('#notice').textContent()).includes('No token'),
    'page without a token says so');
  await page.waitForTimeout(700);
  checkEqual(record.requests.filter(function (request) { return request.url.includes('/api/'); })
    .length, 0, 'page without a token calls no endpoint');

  await page.goto(pageUrl + '#token=not-a-valid-token');
  await page.waitForFunction(function () {
    return document.getElementById('notice').textContent.includes('401');
  }, null, { timeout: PAGE_TIMEOUT_MS });
  checkEqual(await page.locator('#status').getAttribute('data-state'), 'error',
    'status shows the rejected token');
  const rejected = await page.locator('#notice').textContent();
  check(rejected.includes('valid token'), 'rejected token notice asks for a valid token: ' +
    rejected);
  const callsAfterRejection = record.requests.length;
  await page.waitForTimeout(1200);
  checkEqual(record.requests.length, callsAfterRejection, 'polling stops after a 401');
  await page.close();
}

// Returns the page of a crafted read-back list that the server would
// return for `requestUrl`. Each item's cursor is its position in the list
// (1, 2, ...), which stays valid because callers only append to the
// lists. `after` and `limit` select the page as on the server.
function craftedPage(replies, requestUrl) {
  const url = new URL(requestUrl);
  const kind = url.pathname.split('/').pop();
  const key = kind === 'board' ? 'images' : kind;
  const after = Number(url.searchParams.get('after') || '0');
  const limit = url.searchParams.has('limit') ? Number(url.searchParams.get('limit')) : Infinity;
  const items = replies[kind][key].map(function (item, index) {
    return Object.assign({}, item, { cursor: index + 1 });
  }).filter(function (item) {
    return item.cursor > after;
  }).slice(0, limit);
  const reply = Object.assign({}, replies[kind]);
  reply[key] = items;
  reply.cursor = items.length > 0 ? items[items.length - 1].cursor : after;
  return reply;
}

// Fulfils the page's read-back calls from `replies` instead of the
// server. The route reads `replies` on every request, so a caller can add
// records while the page is open.
async function routeCraftedReplies(page, replies) {
  await page.route(function (url) { return url.href.startsWith(apiBase + '/'); }, function (route) {
    return route.fulfill({ status: 200, contentType: 'application/json',
      body: JSON.stringify(craftedPage(replies, route.request().url())) });
  });
}

// Opens the page on read-back replies that the test crafts instead of the
// server's.
async function openCraftedPage(context, replies, viewport) {
  const page = await context.newPage();
  const record = newRecord();
  watchPage(page, record);
  if (viewport !== undefined) {
    await page.setViewportSize(viewport);
  }
  await routeCraftedReplies(page, replies);
  await page.goto(pageUrl + '#token=' + encodeURIComponent(token));
  return { page: page, record: record };
}

function craftedImage(id, x, y, w, h) {
  return { id: id, webhookId: 'wh_test', url: 'https://images.example.test/' + id + '.svg',
    w: w, h: h, x: x, y: y, createdAt: new Date().toISOString() };
}

function craftedMessage(id, fields) {
  return Object.assign({ id: id, webhookId: 'wh_test', kind: 'message', alias: null,
    text: null, embed: null, pollId: null, createdAt: new Date().toISOString() }, fields);
}

function craftedReplies(messages, images, polls) {
  return {
    messages: { roomId: env.PREVIEW_ROOM, messages: messages },
    polls: { roomId: env.PREVIEW_ROOM, polls: polls || [] },
    board: { roomId: env.PREVIEW_ROOM, images: images },
  };
}

// Scrolls the board panel with the mouse wheel, as a viewer would, until
// the image is inside the panel's visible box or 40 steps ran out. A
// programmatic scrollIntoView would not prove it, because it also scrolls
// boxes with overflow: hidden. Returns the image's last position.
async function wheelBoardImageIntoView(page, id, dx, dy) {
  const frame = await page.locator('.board-panel').boundingBox();
  await page.mouse.move(frame.x + frame.width / 2, frame.y + frame.height / 2);
  const image = page.locator('#board .board-image[data-id="' + id + '"]');
  let placed = null;
  for (let step = 0; step < 40; step++) {
    placed = await image.evaluate(function (node) {
      const box = node.getBoundingClientRect();
      const outer = node.closest('.board-panel').getBoundingClientRect();
      return {
        inside: box.top >= outer.top - 1 && box.bottom <= outer.bottom + 1 &&
          box.left >= outer.left - 1 && box.right <= outer.right + 1,
        box: [box.left, box.top, box.right, box.bottom].map(Math.round),
        panel: [outer.left, outer.top, outer.right, outer.bottom].map(Math.round),
      };
    });
    if (placed.inside) {
      break;
    }
    await page.mouse.wheel(dx, dy);
    await page.waitForTimeout(50);
  }
  return placed;
}

// A board taller than its panel must scroll, so an image far below the
// first ones can be brought into view.
async function checkBoardScrolls(context) {
  const replies = craftedReplies([], [
    craftedImage('img_top', 0, 0, 360, 240),
    craftedImage('img_low', 40, 3000, 200, 150),
  ]);
  const opened = await openCraftedPage(context, replies, { width: 1280, height: 900 });
  const page = opened.page;
  await page.locator('#board .board-image').nth(1).waitFor({ timeout: PAGE_TIMEOUT_MS });

  const sizes = await page.evaluate(function () {
    const board = document.getElementById('board');
    const panel = board.closest('.board-panel');
    return { styleHeight: parseFloat(board.style.height), height: board.offsetHeight,
      panelScroll: panel.scrollHeight, panelClient: panel.clientHeight };
  });
  check(near(sizes.height, sizes.styleHeight), 'board keeps its laid-out height: expected ' +
    sizes.styleHeight + ' px, got ' + sizes.height + ' px');
  check(sizes.panelScroll > sizes.panelClient, 'board panel scrolls: scrollHeight ' +
    sizes.panelScroll + ', clientHeight ' + sizes.panelClient);
  const low = await wheelBoardImageIntoView(page, 'img_low', 0, 400);
  check(low.inside, 'image at y=3000 scrolls into view: box ' + JSON.stringify(low.box) +
    ', panel ' + JSON.stringify(low.panel));
  await page.close();
}

// One image far to the right must not shrink the others to specks. The
// page never scales the board below a quarter and lets the panel scroll
// sideways to the rest.
async function checkFarImageScale(context) {
  const replies = craftedReplies([], [
    craftedImage('img_near', 0, 0, 360, 240),
    craftedImage('img_next', 420, 260, 200, 150),
    craftedImage('img_far', 100000, 0, 100, 100),
  ]);
  const opened = await openCraftedPage(context, replies, { width: 1280, height: 900 });
  const page = opened.page;
  await page.locator('#board .board-image').nth(2).waitFor({ timeout: PAGE_TIMEOUT_MS });

  const nearBox = await page.locator('#board .board-image[data-id="img_near"]').boundingBox();
  check(nearBox.width >= 90 - 1 && nearBox.height >= 60 - 1, 'image next to a far one keeps at ' +
    'least a quarter of its 360x240 size: got ' + nearBox.width.toFixed(1) + 'x' +
    nearBox.height.toFixed(1));
  checkEqual(await page.locator('#board').getAttribute('data-scale'), '0.25',
    'board scale stops at its minimum');
  const far = await wheelBoardImageIntoView(page, 'img_far', 4000, 0);
  check(far.inside, 'image at x=100000 scrolls into view: box ' + JSON.stringify(far.box) +
    ', panel ' + JSON.stringify(far.panel));
  await page.close();
}

// Returns how far the message list is scrolled from its end, in pixels,
// and whether the last message is inside the list's visible box.
function readStreamEnd(page) {
  return page.evaluate(function () {
    const panel = document.querySelector('.stream-panel');
    const last = panel.querySelector('li.message:last-child').getBoundingClientRect();
    const frame = panel.getBoundingClientRect();
    return {
      gap: panel.scrollHeight - panel.scrollTop - panel.clientHeight,
      scrollTop: panel.scrollTop,
      lastVisible: last.top >= frame.top - 1 && last.bottom <= frame.bottom + 1,
    };
  });
}

async function waitForImages(page) {
  await page.waitForFunction(function () {
    return Array.from(document.images).every(function (image) { return image.complete; });
  }, null, { timeout: PAGE_TIMEOUT_MS });
  // One more refresh and layout pass after the last image.
  await page.waitForTimeout(600);
}

// In the one-column layout (narrower than 860 px) the board renders below
// the list after it and embed images load late. Both change the list's
// height, and the list must still end at the newest message unless the
// viewer scrolled up.
async function checkStreamFollows(context) {
  const messages = [];
  for (let i = 1; i <= 50; i++) {
    const fields = { text: 'filler message ' + i };
    if (i % 10 === 0) {
      fields.kind = 'embed';
      fields.embed = { title: 'Chart ' + i, image: 'https://images.example.test/chart-' + i + '.svg' };
    }
    messages.push(craftedMessage('msg_fill_' + i, fields));
  }
  const replies = craftedReplies(messages, [
    craftedImage('img_wide', 0, 0, 600, 400),
  ]);
  const context700 = await context.browser().newContext({ viewport: { width: 700, height: 900 } });
  // Images arrive 400 ms late, after the list first scrolled to its end.
  await context700.route(function (url) { return url.hostname === 'images.example.test'; },
    function (route) {
      setTimeout(function () {
        route.fulfill({ status: 200, contentType: 'image/svg+xml',
          body: placeholderSvg(route.request().url()) }).catch(function () {});
      }, 400);
    });
  const opened = await openCraftedPage(context700, replies);
  const page = opened.page;
  await page.locator('li.message').nth(49).waitFor({ timeout: PAGE_TIMEOUT_MS });
  await waitForImages(page);

  let end = await readStreamEnd(page);
  check(end.gap <= 2, 'list at 700 px ends at the newest message after load: ' + end.gap +
    ' px short');
  check(end.lastVisible, 'newest message is visible after load at 700 px');

  messages.push(craftedMessage('msg_fill_new', { kind: 'embed', text: 'newest',
    embed: { title: 'Late chart', image: 'https://images.example.test/late.svg' } }));
  await page.locator('li.message[data-id="msg_fill_new"]').waitFor({ timeout: PAGE_TIMEOUT_MS });
  await waitForImages(page);
  end = await readStreamEnd(page);
  check(end.gap <= 2, 'list at 700 px follows a new message: ' + end.gap + ' px short');
  check(end.lastVisible, 'new message is visible at 700 px');

  // The scroll event of a jump to the end arrives a frame later. Growth in
  // between must not read as the viewer scrolling up.
  await page.evaluate(function () {
    document.querySelector('.stream-panel').scrollTop -= 10;
  });
  await page.waitForTimeout(200);
  await page.evaluate(function () {
    const panel = document.querySelector('.stream-panel');
    panel.scrollTop = panel.scrollHeight;
    const spacer = document.createElement('div');
    spacer.style.height = '300px';
    panel.querySelector('li.message:last-child .bubble').appendChild(spacer);
  });
  await page.waitForTimeout(300);
  end = await readStreamEnd(page);
  check(end.gap <= 2, 'list follows growth that lands before its own scroll event: ' +
    end.gap + ' px short');

  // A viewer who scrolled up keeps their place when more arrives.
  const frame = await page.locator('.stream-panel').boundingBox();
  await page.mouse.move(frame.x + frame.width / 2, frame.y + frame.height / 2);
  await page.mouse.wheel(0, -600);
  await page.waitForTimeout(200);
  const before = await readStreamEnd(page);
  messages.push(craftedMessage('msg_fill_after_scroll', { text: 'after scrolling up' }));
  await page.locator('li.message[data-id="msg_fill_after_scroll"]')
    .waitFor({ timeout: PAGE_TIMEOUT_MS });
  await page.waitForTimeout(600);
  end = await readStreamEnd(page);
  checkEqual(await page.locator('li.message').count(), messages.length,
    'each crafted message is shown once');
  check(before.gap > 100, 'wheel scrolled the list up: ' + before.gap + ' px from the end');
  check(near(end.scrollTop, before.scrollTop), 'list scrolled up by the viewer stays put: ' +
    'scrollTop ' + before.scrollTop + ' became ' + end.scrollTop);
  await context700.close();
}

function shownMessageIds(page) {
  return page.locator('li.message').evaluateAll(function (nodes) {
    return nodes.map(function (node) { return node.dataset.id; });
  });
}

// A poll message whose poll is not in the poll list yet waits, with the
// messages after it, and shows in order once the poll arrives. The page
// must keep its message cursor before the waiting message meanwhile.
async function checkLatePoll(context) {
  const polls = [];
  const replies = craftedReplies([
    craftedMessage('msg_before_poll', { text: 'before the poll' }),
    craftedMessage('msg_late_poll', { kind: 'poll', pollId: 'poll_late' }),
    craftedMessage('msg_after_poll', { text: 'after the poll' }),
  ], [], polls);
  const opened = await openCraftedPage(context, replies, { width: 1280, height: 900 });
  const page = opened.page;
  await page.locator('li.message[data-id="msg_before_poll"]').waitFor({ timeout: PAGE_TIMEOUT_MS });
  // At least two more refreshes run without the poll.
  await page.waitForTimeout(1200);
  checkEqual(await shownMessageIds(page), ['msg_before_poll'],
    'messages wait while their poll is missing');
  const waiting = readBackCalls(opened.record, 'messages').slice(1)
    .map(function (url) { return url.searchParams.get('after'); });
  check(waiting.length >= 2, 'the page refreshed while the poll was missing: ' + waiting.length);
  check(waiting.every(function (after) { return after === '1'; }),
    'message cursor stays before the waiting poll message: ' + JSON.stringify(waiting));

  polls.push({ id: 'poll_late', messageId: 'msg_late_poll', webhookId: 'wh_test',
    question: 'Late question?', options: ['yes', 'no'], multipleChoice: false,
    endsInMinutes: null, endsAt: null, createdAt: new Date().toISOString() });
  await page.locator('li.message[data-id="msg_after_poll"]').waitFor({ timeout: PAGE_TIMEOUT_MS });
  checkEqual(await page.locator('li.message[data-id="msg_late_poll"] .poll-question').textContent(),
    'Late question?', 'late poll shows in its message');
  await page.waitForTimeout(700);
  checkEqual(await shownMessageIds(page), ['msg_before_poll', 'msg_late_poll', 'msg_after_poll'],
    'messages show once each, in order, after the poll arrived');
  const last = readBackCalls(opened.record, 'messages').pop();
  checkEqual(last.searchParams.get('after'), '3', 'message cursor moves past the shown messages');
  checkEqual(opened.record.pageErrors, [], 'uncaught page errors while a poll was late');
  await page.close();
}

// A history longer than one page (1,000 items) is fetched page after page
// without waiting for the refresh interval, and shown completely.
async function checkLongHistory(context) {
  const total = 2500;
  const messages = [];
  for (let i = 1; i <= total; i++) {
    messages.push(craftedMessage('msg_long_' + i, { text: 'long history ' + i }));
  }
  const opened = await openCraftedPage(context, craftedReplies(messages, []),
    { width: 1280, height: 900 });
  const page = opened.page;
  const started = Date.now();
  await page.locator('li.message[data-id="msg_long_' + total + '"]')
    .waitFor({ timeout: PAGE_TIMEOUT_MS });
  console.log(total + ' crafted messages shown ' + (Date.now() - started) + ' ms after opening');
  const ids = await shownMessageIds(page);
  checkEqual(ids.length, total, 'every message of a long history is shown once');
  check(ids.every(function (id, index) { return id === 'msg_long_' + (index + 1); }),
    'long history is shown in order');
  const afters = readBackCalls(opened.record, 'messages').slice(0, 3)
    .map(function (url) { return url.searchParams.get('after'); });
  checkEqual(afters, [null, '1000', '2000'], 'long history is fetched in pages of 1,000');
  await page.close();
}

// A valid token on an unknown room is a wrong address, not a bad token, so
// the notice must name the room and not ask for another token.
async function checkUnknownRoom(context) {
  const page = await context.newPage();
  const missing = 'no such room';
  await page.goto(origin + '/preview/' + encodeURIComponent(missing) + '#token=' +
    encodeURIComponent(token));
  await page.waitForFunction(function () {
    return document.getElementById('status').dataset.state === 'error';
  }, null, { timeout: PAGE_TIMEOUT_MS });
  const notice = await page.locator('#notice').textContent();
  check(notice.includes('Room "' + missing + '" was not found on this server'),
    'unknown room notice names the room: ' + notice);
  check(!notice.includes('token'), 'unknown room notice does not blame the token: ' + notice);
  await page.close();
}

// Right-to-left user text must run right to left, and an avatar must show
// the first whole emoji of an alias, not half of it.
async function checkTextDirection(context) {
  const arabic = 'تم النشر بنجاح';
  const pollId = 'poll_rtl';
  const replies = craftedReplies([
    craftedMessage('msg_rtl', { alias: 'مساعد البناء', text: arabic }),
    craftedMessage('msg_rtl_embed', { kind: 'embed', embed: {
      title: 'ملاحظات الإصدار', description: 'اكتمل النشر\n\u2022 الوثائق محدثة', footer: 'بواسطة الخادم',
    } }),
    craftedMessage('msg_rtl_poll', { kind: 'poll', pollId: pollId }),
    craftedMessage('msg_ltr', { alias: 'Build bot', text: 'Build 43 passed' }),
    craftedMessage('msg_emoji', { alias: '\u{1F469}\u200D\u{1F4BB} Dev bot', text: 'hi' }),
    craftedMessage('msg_flag', { alias: '\u{1F1EB}\u{1F1F7} bot', text: 'salut' }),
  ], [], [{ id: pollId, webhookId: 'wh_test', question: 'أي ميزة بعد؟',
    options: ['الوثائق', 'المساعد'], multipleChoice: false, endsAt: null,
    createdAt: new Date().toISOString() }]);
  const opened = await openCraftedPage(context, replies, { width: 1280, height: 900 });
  const page = opened.page;
  await page.locator('li.message[data-id="msg_flag"]').waitFor({ timeout: PAGE_TIMEOUT_MS });

  const userText = ['.alias', '.text', '.embed-title', '.embed-paragraph', '.embed-bullet',
    '.embed-footer', '.poll-question', '.poll-option-text'];
  for (const selector of userText) {
    const nodes = page.locator('.stream ' + selector);
    check(await nodes.count() > 0, 'crafted messages contain ' + selector);
    const dirs = await nodes.evaluateAll(function (list) {
      return list.map(function (node) { return node.getAttribute('dir'); });
    });
    check(dirs.every(function (dir) { return dir === 'auto'; }),
      selector + ' has dir="auto": ' + JSON.stringify(dirs));
  }

  const direction = function (node) { return getComputedStyle(node).direction; };
  checkEqual(await page.locator('li[data-id="msg_rtl"] .text').evaluate(direction), 'rtl',
    'Arabic message text runs right to left');
  checkEqual(await page.locator('li[data-id="msg_rtl"] .alias').evaluate(direction), 'rtl',
    'Arabic alias runs right to left');
  checkEqual(await page.locator('li[data-id="msg_rtl_poll"] .poll-question').evaluate(direction),
    'rtl', 'Arabic poll question runs right to left');
  checkEqual(await page.locator('li[data-id="msg_ltr"] .text').evaluate(direction), 'ltr',
    'English message text runs left to right');

  checkEqual(await page.locator('li[data-id="msg_emoji"] .avatar').textContent(),
    '\u{1F469}\u200D\u{1F4BB}', 'avatar shows a whole joined emoji');
  checkEqual(await page.locator('li[data-id="msg_flag"] .avatar').textContent(),
    '\u{1F1EB}\u{1F1F7}', 'avatar shows a whole flag');
  checkEqual(await page.locator('li[data-id="msg_ltr"] .avatar').textContent(), 'B',
    'avatar shows the first letter');

  const fonts = await page.evaluate(function () { return getComputedStyle(document.body).fontFamily; });
  for (const font of ['"Apple Color Emoji"', '"Segoe UI Emoji"', '"Noto Color Emoji"']) {
    check(fonts.includes(font), 'page fonts include ' + font + ': ' + fonts);
  }
  checkEqual(opened.record.pageErrors, [], 'uncaught page errors with right-to-left text');
  await page.close();
}

async function main() {
  const [messages, polls, board] = await Promise.all([
    readBack('messages'), readBack('polls'), readBack('board'),
  ]);
  checkEqual(messages.messages.map(function (message) { return message.kind; }),
    ['message', 'embed', 'poll', 'message'], 'delivered message kinds');
  if (failures.length > 0) {
    throw new Error('the deliveries are not what this test expects');
  }

  // Flags for a root container without a display; the resolver rule keeps
  // every host but the test server unreachable.
  const browser = await chromium.launch({
    executablePath: env.PREVIEW_CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--no-proxy-server', '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1',
    ],
  });
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const outsideUrls = [];
    await routeOutsideRequests(context, outsideUrls);

    const page = await context.newPage();
    const record = newRecord();
    watchPage(page, record);
    const response = await page.goto(pageUrl + '#token=' + encodeURIComponent(token));
    await checkHeaders(response);
    await page.locator('li.message').nth(messages.messages.length - 1)
      .waitFor({ timeout: PAGE_TIMEOUT_MS });
    await page.locator('#board img.board-image').nth(board.images.length - 1)
      .waitFor({ timeout: PAGE_TIMEOUT_MS });
    await page.waitForFunction(function () {
      return Array.from(document.images).every(function (image) { return image.complete; });
    }, null, { timeout: PAGE_TIMEOUT_MS });

    checkEqual(await page.locator('#room-name').textContent(), env.PREVIEW_ROOM, 'room name');
    checkEqual(await page.locator('#status').getAttribute('data-state'), 'live', 'status');
    await checkMessage(page, messages.messages[0]);
    await checkEmbed(page, messages.messages[1]);
    await checkPoll(page, messages.messages[2], polls.polls[0]);
    await checkBoard(page, board.images);
    await checkInjection(page, messages.messages[3], record);
    await checkLiveUpdate(page, record);
    await checkIncrementalRequests(page, record);

    // The panels scroll inside the window, so a taller window shows the
    // whole room in the screenshot.
    await page.setViewportSize({ width: 1280, height: 1500 });
    await page.waitForTimeout(100);
    await page.screenshot({ path: env.PREVIEW_SCREENSHOT, fullPage: true });
    console.log('screenshot: ' + env.PREVIEW_SCREENSHOT);
    checkRequests(record, outsideUrls);
    await page.close();

    await checkUnsafeUrls(context);
    await checkTokenErrors(context);
    await checkBoardScrolls(context);
    await checkFarImageScale(context);
    await checkStreamFollows(context);
    await checkLatePoll(context);
    await checkLongHistory(context);
    await checkUnknownRoom(context);
    await checkTextDirection(context);
  } finally {
    await browser.close();
  }
}

main().then(function () {
  if (failures.length > 0) {
    console.error(failures.length + ' check(s) failed');
    process.exit(1);
  }
  console.log('all preview checks passed');
}, function (error) {
  console.error('FAIL: ' + (error && error.stack ? error.stack : error));
  process.exit(1);
});
