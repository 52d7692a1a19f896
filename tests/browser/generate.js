// The seeded generator: combines fragments from the hand-written categories into whole pages.
// Deterministic: the same seed and count give the same cases (mulberry32 in cases-lib.js).
'use strict';

const { mulberry32 } = require('./cases-lib');

const DOCTYPES = [
  '',
  '<!DOCTYPE html>',
  '<!doctype html>\n',
  '\ufeff<!DOCTYPE html>',
  '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN">',
  '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">',
];

const HEADS = [
  '',
  '<head><title>t</title></head>',
  '<head><meta charset="utf-8"><title>a &amp; b</title></head>\n',
  '<head><style>main > p::after { content: "</main>" }</style></head>',
  '<head><script>var s = "<main>x</main>";</script></head>',
  '<head><noscript><main>n</main></noscript></head>',
  '<head><template><main>t</main></template></head>',
  '<head><main>h</main></head>',
  '<title></main></title>',
];

// Pieces that go anywhere: before, inside and after main. `<?xml-stylesheet?>` is a bogus comment both
// before and after whatwg/html#12118; the PI cases that html5ever cannot parse yet are hand-written
// (`pi-*`), so that no generated case is a deviation that could hide a real mismatch.
const FRAGMENTS = [
  'text', ' ', '\n', '\r\n', 'a\u0000b', '&amp;', '&copy', '&notin;', '&#x80;', '&nbsp;', '\u00a0', '<',
  '<p>', '</p>', '<p>para', '<b>', '</b>', '<i>', '</i>', '<a href="?x=1&y=2">', '</a>', '<nobr>',
  '<font color=red>', '</font>', '<div>', '</div>', '<div class="a>b">', '<span title="</main>">s</span>',
  '<ul><li>1<li>2</ul>', '<li>', '<button>', '</button>', '<form>', '</form>', '<br>', '</br>', '<hr>',
  '<img src=x alt="<i>">', '<input value="a&quot;b">', '<table>', '<tr>', '<td>', '</td>', '</tr>', '</table>',
  '<table><tr><td>cell</td></tr></table>', '<caption>', '<select>', '<option>o', '</select>',
  '<select><option>a<option>b</select>', '<!-- <main>c</main> -->', '<!---->', '<!-->', '<?xml-stylesheet?>',
  '<script>"</main>"</script>', '<script><!--<script></script></main>--></script>', '<style></main></style>',
  '<textarea></main>&lt;</textarea>', '<title>&lt;x</title>', '<xmp></main></xmp>', '<iframe></main></iframe>',
  '<noscript></main></noscript>', '<noembed></main></noembed>', '<pre>\n\nq</pre>', '<listing>\nl</listing>',
  '<svg>', '</svg>', '<svg><main>s</main></svg>', '<svg><foreignObject>', '</foreignObject>', '<math><mi>',
  '</math>', '<template>', '</template>', '<template><main>t</main></template>', '<main-nav>mn</main-nav>',
  '<MAINFRAME>', '<h1>', '</h1>', '<dd>', '<dt>', '<ruby>r<rt>t</ruby>', '<object>', '</object>',
];

const MAIN_OPENS = [
  '<main>', '<main>', '<main class="m" id=x>', '<MAIN role=main>', '<main data-djust-shell-placeholder=0 class=k>',
  '<main data-tpl="<p>&amp;</p>">', '<main/>', '<main\nhidden>',
];
const MAIN_CLOSES = ['</main>', '</main>', '</main >', '</MAIN>', '', '</main foo="x">'];
const TAILS = ['', '</body></html>', '</body>\n</html>\n', '</html><p>after</p>', '</body><main>late</main>', '<!--end-->'];

function generate(seed, count) {
  const rnd = mulberry32(seed);
  const pick = (list) => list[Math.floor(rnd() * list.length)];
  const some = (max) => {
    let s = '';
    const n = Math.floor(rnd() * (max + 1));
    for (let i = 0; i < n; i++) s += pick(FRAGMENTS);
    return s;
  };
  const cases = [];
  for (let i = 0; i < count; i++) {
    let html = pick(DOCTYPES);
    if (rnd() < 0.6) html += '<html lang="en">';
    html += pick(HEADS);
    if (rnd() < 0.6) html += '<body class="b">';
    html += some(4);
    if (rnd() < 0.92) {
      html += pick(MAIN_OPENS) + some(6) + pick(MAIN_CLOSES);
    }
    html += some(3);
    if (rnd() < 0.15) html += '<main>second</main>';
    html += pick(TAILS);
    cases.push({ id: 'gen-' + String(i).padStart(3, '0'), html });
  }
  return cases;
}

module.exports = { generate };
