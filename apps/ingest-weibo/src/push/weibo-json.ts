/**
 * JSON.parse that keeps large integers exact: Weibo ids are 64-bit numbers sent unquoted (reference), and
 * JSON.parse would round those above 2^53. Integer literals of 16 digits or more outside strings are quoted
 * before parsing, so they arrive as strings; smaller numbers stay numbers.
 */
export function parseWeiboJson(text: string): unknown {
  let out = '';
  let inString = false;
  let last = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') {
      inString = true;
      continue;
    }
    if ((c >= '0' && c <= '9') || c === '-') {
      let j = i + 1;
      while (j < text.length && /[0-9.eE+-]/.test(text[j])) j++;
      const literal = text.slice(i, j);
      if (/^-?\d{16,}$/.test(literal)) {
        out += `${text.slice(last, i)}"${literal}"`;
        last = j;
      }
      i = j - 1;
    }
  }
  return JSON.parse(out + text.slice(last));
}
