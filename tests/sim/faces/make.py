#!/usr/bin/env python3
"""Makes the face module's test frames (640x480 8-bit grey PNGs) from public-domain and CC0
photographs that Debian's python3-skimage package ships (README.md names them). Python's
standard library only: the PNG reader and writer, the resampling and the blur are here.

usage: make.py [SKIMAGE_DATA_DIR] [OUT_DIR]
  SKIMAGE_DATA_DIR  holds astronaut.png and coffee.png; by default the installed package's
                    folder, else an unpacked .deb under /tmp/x:
                      cd /tmp && apt-get download python3-skimage &&
                      dpkg-deb -x python3-skimage_*.deb x
  OUT_DIR           where the frames go (default: this script's folder)

The same sources give the same bytes: every step is integer or deterministic float math and
the sources' SHA-256 are checked.
"""
import hashlib
import math
import os
import struct
import sys
import zlib

W, H = 640, 480

SOURCES = {
    # NASA portrait of Eileen Collins, public domain.
    "astronaut.png": "88431cd9653ccd539741b555fb0a46b61558b301d4110412b5bc28b5e3ea6cb5",
    # A coffee cup, CC0 (Rachel Michetti, courtesy of Pikolo Espresso Bar).
    "coffee.png": "cc02f8ca188b167c775a7101b5d767d1e71792cf762c33d6fa15a4599b5a8de7",
}

# The astronaut's face in astronaut.png: its centre and width as OpenCV's frontal face Haar
# cascade boxes it ([176,66 95x95]).
FACE_CX, FACE_CY, FACE_W = 223.5, 113.5, 95.0


class Grey:
    """A grey image: w x h bytes, rows top to bottom, no padding."""

    def __init__(self, w, h, px=None):
        self.w, self.h = w, h
        self.px = bytearray(w * h) if px is None else px

    def mean(self):
        return sum(self.px) / len(self.px)


# ---- PNG ---------------------------------------------------------------------------------

def _paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def read_png_grey(path):
    """An 8-bit grey or RGB(A), non-interlaced PNG as grey (BT.601 luma, integer)."""
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        sys.exit(f"{path}: not a PNG")
    pos, idat, hdr = 8, [], None
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        pos += 12 + n
        if kind == b"IHDR":
            hdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
    w, h, depth, ctype, _, _, interlace = hdr
    chans = {0: 1, 2: 3, 4: 2, 6: 4}.get(ctype)
    if depth != 8 or chans is None or interlace:
        sys.exit(f"{path}: only 8-bit grey/RGB non-interlaced PNGs are read here")
    raw = zlib.decompress(b"".join(idat))
    bpp, stride = chans, w * chans
    prev = bytearray(stride)
    out = Grey(w, h)
    for y in range(h):
        f = raw[y * (stride + 1)]
        row = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        if f == 1:
            for i in range(bpp, stride):
                row[i] = (row[i] + row[i - bpp]) & 255
        elif f == 2:
            for i in range(stride):
                row[i] = (row[i] + prev[i]) & 255
        elif f == 3:
            for i in range(stride):
                left = row[i - bpp] if i >= bpp else 0
                row[i] = (row[i] + ((left + prev[i]) >> 1)) & 255
        elif f == 4:
            for i in range(stride):
                left = row[i - bpp] if i >= bpp else 0
                upleft = prev[i - bpp] if i >= bpp else 0
                row[i] = (row[i] + _paeth(left, prev[i], upleft)) & 255
        o = y * w
        if chans <= 2:
            out.px[o:o + w] = row[0::chans]
        else:
            r, g, b = row[0::chans], row[1::chans], row[2::chans]
            out.px[o:o + w] = bytes((77 * r[i] + 150 * g[i] + 29 * b[i] + 128) >> 8
                                    for i in range(w))
        prev = row
    return out


def write_png_grey(path, img):
    """An 8-bit grey PNG, each row's filter the one with the smallest sum of magnitudes,
    deflated at level 9."""
    w = img.w
    prev = bytearray(w)
    rows = []
    for y in range(img.h):
        row = img.px[y * w:(y + 1) * w]
        cands = [bytes(row)]
        cands.append(bytes((row[i] - (row[i - 1] if i else 0)) & 255 for i in range(w)))
        cands.append(bytes((row[i] - prev[i]) & 255 for i in range(w)))
        cands.append(bytes((row[i] - (((row[i - 1] if i else 0) + prev[i]) >> 1)) & 255
                           for i in range(w)))
        cands.append(bytes((row[i] - _paeth(row[i - 1] if i else 0, prev[i],
                                            prev[i - 1] if i else 0)) & 255
                           for i in range(w)))
        best = min(range(5), key=lambda k: sum(v if v < 128 else 256 - v for v in cands[k]))
        rows.append(bytes([best]) + cands[best])
        prev = row

    def chunk(kind, body):
        return (struct.pack(">I", len(body)) + kind + body +
                struct.pack(">I", zlib.crc32(kind + body) & 0xffffffff))

    png = (b"\x89PNG\r\n\x1a\n" +
           chunk(b"IHDR", struct.pack(">IIBBBBB", w, img.h, 8, 0, 0, 0, 0)) +
           chunk(b"IDAT", zlib.compress(b"".join(rows), 9)) + chunk(b"IEND", b""))
    with open(path, "wb") as f:
        f.write(png)
    return len(png)


# ---- drawing -----------------------------------------------------------------------------

def wall():
    """A plain wall, lit from the top left: luma 200 there, 160 at the bottom right (the
    portrait's backdrop is about 190)."""
    img = Grey(W, H)
    for y in range(H):
        o = y * W
        img.px[o:o + W] = bytes(200 - (40 * (x + y) + (W + H) // 2) // (W + H) for x in range(W))
    return img


def _cubic(t):
    """Catmull-Rom."""
    t = abs(t)
    if t < 1:
        return 1.5 * t ** 3 - 2.5 * t ** 2 + 1
    if t < 2:
        return -0.5 * t ** 3 + 2.5 * t ** 2 - 4 * t + 2
    return 0.0


def _taps(n_out, scale, src_anchor, dst_anchor, lo, hi):
    """For each output coordinate: None when it falls outside source [lo, hi), else the
    (index, weight) pairs of the Catmull-Rom kernel (widened by 1/scale when shrinking)."""
    widen = max(1.0, 1.0 / scale)
    out = []
    for o in range(n_out):
        u = (o + 0.5 - dst_anchor) / scale + src_anchor  # continuous, pixel edges at integers
        if not lo <= u < hi:
            out.append(None)
            continue
        c = u - 0.5
        taps = []
        for i in range(math.floor(c - 2 * widen) + 1, math.ceil(c + 2 * widen)):
            wgt = _cubic((i - c) / widen)
            if wgt:
                taps.append((min(max(i, lo), hi - 1), wgt))
        total = sum(t[1] for t in taps)
        out.append([(i, wgt / total) for i, wgt in taps])
    return out


def place(frame, src, scale, src_xy, dst_xy, window=None, mirror=False):
    """Draws `src` on `frame` scaled by `scale`, the source point src_xy landing on dst_xy,
    only the source rectangle `window` (x0, y0, x1, y1; all of it by default); mirrored
    left to right when asked (src_xy is then in the mirrored image)."""
    if mirror:
        m = Grey(src.w, src.h)
        for y in range(src.h):
            m.px[y * src.w:(y + 1) * src.w] = src.px[y * src.w:(y + 1) * src.w][::-1]
        src = m
    x0, y0, x1, y1 = window or (0, 0, src.w, src.h)
    cols = _taps(frame.w, scale, src_xy[0], dst_xy[0], x0, x1)
    rows = _taps(frame.h, scale, src_xy[1], dst_xy[1], y0, y1)
    live = [x for x in range(frame.w) if cols[x] is not None]
    cache = {}

    def hrow(r):  # source row r resampled across the live columns
        if r not in cache:
            base = r * src.w
            p = src.px
            cache[r] = [sum(p[base + i] * wgt for i, wgt in cols[x]) for x in live]
        return cache[r]

    for y in range(frame.h):
        if rows[y] is None:
            continue
        acc = [0.0] * len(live)
        for r, wgt in rows[y]:
            hr = hrow(r)
            for k in range(len(live)):
                acc[k] += hr[k] * wgt
        o = y * frame.w
        for k, x in enumerate(live):
            v = int(acc[k] + 0.5)
            frame.px[o + x] = 0 if v < 0 else 255 if v > 255 else v


def box_blur(img, radius, passes):
    """`passes` box blurs of (2 radius + 1) pixels, across then down (a Gaussian of sigma
    about radius * sqrt(passes / 3)); edges repeat."""
    w, h = img.w, img.h
    px = list(img.px)
    n = 2 * radius + 1
    for _ in range(passes):
        for (count, length, step, line) in ((h, w, 1, w), (w, h, w, 1)):
            for j in range(count):
                base = j * line
                vals = [px[base + i * step] for i in range(length)]
                acc = vals[0] * (radius + 1) + sum(vals[min(i, length - 1)]
                                                    for i in range(1, radius + 1))
                for i in range(length):
                    px[base + i * step] = acc / n
                    acc += vals[min(i + radius + 1, length - 1)] - vals[max(i - radius, 0)]
    return Grey(w, h, bytearray(min(255, max(0, int(v + 0.5))) for v in px))


def remap(img, fn):
    lut = bytes(min(255, max(0, int(fn(v) + 0.5))) for v in range(256))
    return Grey(img.w, img.h, bytearray(img.px.translate(lut)))


# ---- the frames --------------------------------------------------------------------------

def face_frame(width_pct, cx, cy):
    """The astronaut on the wall, her face box width_pct % of the frame's width, centred on
    (cx, cy)."""
    frame = wall()
    place(frame, astronaut, W * width_pct / 100 / FACE_W, (FACE_CX, FACE_CY), (cx, cy))
    return frame


def main():
    global astronaut
    here = os.path.dirname(os.path.abspath(__file__))
    data = sys.argv[1] if len(sys.argv) > 1 else None
    if data is None:
        for d in ("/usr/lib/python3/dist-packages/skimage/data",
                  "/tmp/x/usr/lib/python3/dist-packages/skimage/data"):
            if os.path.exists(os.path.join(d, "astronaut.png")):
                data = d
                break
        else:
            sys.exit(__doc__)
    out = sys.argv[2] if len(sys.argv) > 2 else here
    for name, want in SOURCES.items():
        got = hashlib.sha256(open(os.path.join(data, name), "rb").read()).hexdigest()
        if got != want:
            print(f"warning: {name} is not the one these frames were made from ({got})")

    astronaut = read_png_grey(os.path.join(data, "astronaut.png"))
    frames = {}
    ok = face_frame(40, W / 2, H / 2)
    frames["face_ok"] = ok
    frames["face_far"] = face_frame(15, W / 2, H / 2)
    frames["face_near"] = face_frame(70, W / 2, H / 2)
    frames["face_off"] = face_frame(35, W / 2 + 170, H / 2 + 10)

    two = wall()
    half = 95  # source pixels either side of the face's centre: the two copies do not touch
    for cx, mirror in ((W / 4 + 5, False), (3 * W / 4 - 5, True)):
        fx = astronaut.w - FACE_CX if mirror else FACE_CX
        place(two, astronaut, W * 0.26 / FACE_W, (fx, FACE_CY), (cx, H / 2 + 20),
              (int(fx) - half, 0, int(fx) + half, astronaut.h), mirror)
    frames["two_faces"] = two

    coffee = read_png_grey(os.path.join(data, "coffee.png"))  # 600x400
    scene = wall()
    place(scene, coffee, 0.9, (coffee.w / 2, coffee.h / 2), (W / 2, H / 2))
    frames["no_face"] = scene

    mean = ok.mean()
    frames["dark"] = remap(ok, lambda v: v * 25.0 / mean)
    frames["blurry"] = box_blur(ok, 6, 3)
    frames["bright"] = remap(ok, lambda v: 255 - (255 - v) * 0.3)

    for name, img in frames.items():
        size = write_png_grey(os.path.join(out, name + ".png"), img)
        print(f"{name}.png: {size} bytes, mean luma {img.mean():.1f}")


if __name__ == "__main__":
    main()
