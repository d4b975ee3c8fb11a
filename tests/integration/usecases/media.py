# Checks of the video files the project writes for people to keep: what
# FFmpeg finds in them and whether a real browser plays them.
# SPDX-License-Identifier: LGPL-2.1-or-later
import json
import os
import re
import subprocess

import chromium
from usecase import check, colour_stats, decode_image, need_program

# The profiles of 8-bit 4:2:0 H.264 that browsers, phones and hardware
# decoders play, as ffprobe names them.
PLAYABLE_PROFILES = ("Constrained Baseline", "Baseline", "Main", "High")


def tool(name):
    return need_program(name, "ffmpeg")


def probe(path):
    """ffprobe's view of the first video stream and the container, decoding
    every frame to count them."""
    r = subprocess.run([tool("ffprobe"), "-v", "error", "-count_frames", "-select_streams", "v:0",
                        "-show_entries", "stream=codec_name,profile,pix_fmt,width,height,nb_read_frames",
                        "-show_entries", "format=duration", "-of", "json", path],
                       capture_output=True, text=True, timeout=180)
    check(r.returncode == 0 and not r.stderr.strip(), "ffprobe %s: exit %d: %s" % (path, r.returncode, r.stderr))
    info = json.loads(r.stdout)
    check(len(info.get("streams", [])) == 1, "%s: no video stream: %s" % (path, r.stdout))
    stream = info["streams"][0]
    stream["nb_read_frames"] = int(stream["nb_read_frames"])
    stream["duration"] = float(info["format"]["duration"])
    return stream


def decode_strictly(path):
    """Frames ffmpeg decodes with every error fatal (-xerror -err_detect
    explode); any error or warning fails."""
    r = subprocess.run([tool("ffmpeg"), "-nostdin", "-v", "warning", "-xerror", "-err_detect", "explode",
                        "-i", path, "-fps_mode", "passthrough", "-f", "null", "-progress", "pipe:1", "-"],
                       capture_output=True, text=True, timeout=180)
    check(r.returncode == 0 and not r.stderr.strip(),
          "ffmpeg -xerror -err_detect explode %s: exit %d: %s" % (path, r.returncode, r.stderr))
    frames = re.findall(r"^frame=(\d+)$", r.stdout, re.M)
    check(frames, "ffmpeg reported no progress for %s" % path)
    return int(frames[-1])


def slices(path):
    """Slice headers in the H.264 stream (one per picture when pictures are
    not split)."""
    r = subprocess.run([tool("ffmpeg"), "-nostdin", "-hide_banner", "-i", path, "-map", "0:v:0", "-c", "copy",
                        "-bsf:v", "trace_headers", "-f", "null", "-"],
                       capture_output=True, text=True, timeout=180)
    check(r.returncode == 0, "ffmpeg trace_headers %s: exit %d: %s" % (path, r.returncode, r.stderr[-2000:]))
    return r.stderr.count("Slice Header")


def check_h264(path, width, height, frames, duration=None):
    """The file is 8-bit 4:2:0 H.264 in a profile everything plays, one slice
    per picture, of the given size and number of frames, that ffprobe and a
    strict ffmpeg decode without a word; and, if given, of that duration
    (seconds, within a frame and a half)."""
    s = probe(path)
    print("%s: %s %s %s %dx%d, %d frames, %.3f s" % (os.path.basename(path), s["codec_name"], s.get("profile"),
                                                      s["pix_fmt"], s["width"], s["height"], s["nb_read_frames"],
                                                      s["duration"]))
    check(s["codec_name"] == "h264", "%s: codec %s, not h264" % (path, s["codec_name"]))
    check(s["pix_fmt"] == "yuv420p", "%s: pixel format %s, not yuv420p (8-bit 4:2:0)" % (path, s["pix_fmt"]))
    check(s.get("profile") in PLAYABLE_PROFILES, "%s: profile %s, not one of %s"
          % (path, s.get("profile"), ", ".join(PLAYABLE_PROFILES)))
    check((s["width"], s["height"]) == (width, height), "%s: %dx%d, expected %dx%d"
          % (path, s["width"], s["height"], width, height))
    check(s["nb_read_frames"] == frames, "%s: ffprobe decodes %d frames, expected %d"
          % (path, s["nb_read_frames"], frames))
    decoded = decode_strictly(path)
    check(decoded == frames, "%s: ffmpeg decodes %d frames, expected %d" % (path, decoded, frames))
    n = slices(path)
    check(n == frames, "%s: %d slices in %d pictures: pictures are split" % (path, n, frames))
    if duration is not None:
        check(abs(s["duration"] - duration) <= 1.5 * duration / frames,
              "%s: lasts %.3f s, expected %.3f s" % (path, s["duration"], duration))
    return s


def psnr_per_frame(video, picture, frames):
    """PSNR (dB) of each of the first frames of video against one picture."""
    r = subprocess.run([tool("ffmpeg"), "-nostdin", "-v", "error", "-i", video, "-loop", "1", "-i", picture,
                        "-lavfi", "[1:v]format=yuv420p[p];[0:v][p]psnr=stats_file=-",
                        "-frames:v", str(frames), "-fps_mode", "passthrough", "-f", "null", "-"],
                       capture_output=True, text=True, timeout=180)
    check(r.returncode == 0, "ffmpeg psnr: exit %d: %s" % (r.returncode, r.stderr[-2000:]))
    values = [float(v) if v != "inf" else 100.0 for v in re.findall(r"psnr_avg:(\S+)", r.stdout)]
    # (the filter may compare one more frame than -frames:v lets out)
    check(len(values) >= frames, "ffmpeg psnr compared %d frames, not %d" % (len(values), frames))
    return values[:frames]


# Plays one video in a <video> element and reports what the page saw:
# its size, the frames presented (requestVideoFrameCallback) and decoded
# (getVideoPlaybackQuality), how far currentTime went, and any MediaError.
PLAYER_PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>player</title>
<style>body { margin: 0; background: #000; } video { display: block; }</style></head>
<body><video id="v" muted playsinline></video>
<script>
const v = document.getElementById("v");
const r = { presented: 0, times: [], error: null, ended: false };
window.result = r;
function onFrame(now, meta) {
  r.presented = meta.presentedFrames;
  r.times.push(meta.mediaTime);
  v.requestVideoFrameCallback(onFrame);
}
v.requestVideoFrameCallback(onFrame);
v.addEventListener("loadedmetadata", () => {
  r.width = v.videoWidth; r.height = v.videoHeight; r.duration = v.duration;
  v.width = v.videoWidth; v.height = v.videoHeight;
});
v.addEventListener("error", () => {
  r.error = v.error ? v.error.code + ": " + v.error.message : "unknown";
});
v.addEventListener("ended", () => {
  const q = v.getVideoPlaybackQuality();
  r.decoded = q.totalVideoFrames; r.dropped = q.droppedVideoFrames; r.corrupted = q.corruptedVideoFrames;
  r.currentTime = v.currentTime; r.ended = true;
});
v.src = SOURCE;
v.play().catch(e => { r.error = "play(): " + e; });
</script></body></html>
"""


def play_in_chromium(path, width, height, frames, duration):
    """Plays the file in headless Chromium (file://, muted autoplay) to its
    end and checks that the browser decoded and showed it: size, duration,
    every frame decoded and none corrupt, currentTime at the end, frames
    presented in order, and a colour picture on the screen."""
    page = os.path.join(os.path.dirname(os.path.abspath(path)), "play-%s.html" % os.path.basename(path))
    with open(page, "w") as f:
        f.write(PLAYER_PAGE.replace("SOURCE", json.dumps(os.path.basename(path))))
    browser = chromium.Browser(width=width + 20, height=height + 20,
                               extra_args=["--autoplay-policy=no-user-gesture-required"])
    try:
        version = browser.call("Browser.getVersion")["product"]
        browser.page("Page.navigate", {"url": "file://" + page})
        browser.wait_for("window.result !== undefined && (window.result.ended || window.result.error !== null)",
                         "the end of playback or an error",
                         timeout=60 + 4 * duration)
        r = browser.evaluate("window.result")
        print("%s in %s: %s" % (os.path.basename(path), version,
                                {k: v for k, v in r.items() if k != "times"}))
        check(r["error"] is None, "%s: Chromium cannot play it: %s" % (path, r["error"]))
        check((r["width"], r["height"]) == (width, height), "%s: Chromium sees %sx%s" % (path, r["width"], r["height"]))
        check(abs(r["duration"] - duration) <= 1.5 * duration / frames, "%s: Chromium finds %.3f s" % (path, r["duration"]))
        check(abs(r["currentTime"] - r["duration"]) < 0.01, "%s: playback ended at %.3f s of %.3f s"
              % (path, r["currentTime"], r["duration"]))
        check(r["decoded"] == frames and r["corrupted"] == 0, "%s: Chromium decoded %d of %d frames, %d corrupt"
              % (path, r["decoded"], frames, r["corrupted"]))
        # A headless browser on a busy machine may drop frames from the
        # screen (not from decoding): ask for a good share, in order.
        check(r["presented"] >= frames // 4, "%s: Chromium showed %d of %d frames" % (path, r["presented"], frames))
        check(r["times"] == sorted(r["times"]) and len(set(r["times"])) == len(r["times"]),
              "%s: frames shown out of order: %s" % (path, r["times"]))
        # The last frame stays on the screen: a colour thermal picture.
        import base64
        shot = base64.b64decode(browser.page("Page.captureScreenshot", {"format": "png"})["data"])
        w, h, rgb = decode_image(shot, "pngdec")
        colours, coloured = colour_stats(rgb, 0, 0, width, height, w)
        print("%s: last frame on the screen has %d colours, %.0f%% strongly coloured"
              % (os.path.basename(path), colours, 100 * coloured))
        check(colours >= 40 and coloured >= 0.05, "%s: Chromium shows no colour picture (%d colours, %.0f%% coloured)"
              % (path, colours, 100 * coloured))
    finally:
        browser.close()
        os.unlink(page)
