/** What Parley changes in Janus's SDP before a browser sees it. */

/** Janus names its VideoRoom in the SDP's session name (`s=VideoRoom <id>`): a browser gets `s=-`. */
export function clientSdp(sdp: string): string {
  return sdp.replace(/^s=.*$/m, 's=-');
}

/**
 * Janus's answer to a publisher, asking the browser for Opus DTX (`usedtx=1`), as Janus's own
 * `opus_dtx` room option does (janode's `create` does not pass that option on). Through the SFU
 * every voice goes to everyone, and with DTX a silent microphone sent 4.8 audio packets a second
 * instead of 50 (110 B/s instead of 2,250) in a browser test: in a room of 50, that is each
 * listener's download of the 49 silent ones.
 */
export function withOpusDtx(sdp: string): string {
  const eol = sdp.includes('\r\n') ? '\r\n' : '\n';
  const opus = new Set([...sdp.matchAll(/^a=rtpmap:(\d+) opus\/48000\b/gim)].map((match) => match[1]));
  if (opus.size === 0) return sdp;
  const withFmtp = new Set<string>();
  const lines = sdp.split(eol).map((line) => {
    const fmtp = /^a=fmtp:(\d+) (.*)$/.exec(line);
    if (!fmtp || !opus.has(fmtp[1])) return line;
    withFmtp.add(fmtp[1]);
    return /(^|;)\s*usedtx=/.test(fmtp[2]) ? line : `${line};usedtx=1`;
  });
  // An Opus payload type without parameters gets its own fmtp line, right after its rtpmap.
  return lines
    .flatMap((line) => {
      const rtpmap = /^a=rtpmap:(\d+) opus\/48000\b/i.exec(line);
      return rtpmap && !withFmtp.has(rtpmap[1]) ? [line, `a=fmtp:${rtpmap[1]} usedtx=1`] : [line];
    })
    .join(eol);
}
