/**
 * Portal messages in the console are wrapped at spaces before they are written: a terminal wraps
 * at the last column, cutting words in two. Continuation lines are indented under the text, past
 * the time stamp, so each message reads as one block.
 */

/**
 * `text` as lines of at most `cols` characters, broken at spaces; the first line starts with
 * `prefix` and the others with as many spaces. A word longer than a line (a URL, a fingerprint)
 * is cut where it must be, as nothing else fits.
 */
export function wrapWords(prefix: string, text: string, cols: number): string[] {
  const indent = " ".repeat(prefix.length);
  const width = Math.max(cols - prefix.length, 8);
  const out: string[] = [];
  for (const paragraph of text.split(/\r?\n/)) {
    let line = "";
    for (const word of paragraph.split(" ")) {
      if (line && line.length + 1 + word.length > width) {
        out.push(line);
        line = "";
      }
      let rest = line ? `${line} ${word}` : word;
      while (rest.length > width) {
        out.push(rest.slice(0, width));
        rest = rest.slice(width);
      }
      line = rest;
    }
    out.push(line);
  }
  return out.map((l, i) => (i === 0 ? prefix : indent) + l);
}
