/* Face detection with OpenCV's CascadeClassifier: the only file that includes OpenCV. Every
 * entry point is extern "C" and catches every C++ exception, which becomes -1 or NULL with
 * the reason in err.
 *
 * Tuned for 640x480 frames on a 2-CPU kiosk (docs/architecture.md has the figures):
 * - the frame is shrunk by an integer factor so that the smallest face asked for is about
 *   4/3 of the cascade's window (32 pixels for the 24x24 Haar cascade: a factor 2 for
 *   min_side 64, 3 for 96); the cascade's cost grows with the number of windows it tries,
 *   which falls with the square of the factor, and a face of 32 pixels or more is still
 *   found as reliably as at full size;
 * - no histogram equalisation: the cascade already normalises each window by its contrast,
 *   and equalising the frame found no face more in the test frames (dim, low contrast,
 *   backlit, noisy) while it made the faces' detections fewer (face_ok.png: 9 overlapping
 *   windows instead of 23) and false faces more likely;
 * - scale factor 1.2: 1.1 costs twice as much and 1.15 half as much again (both found a
 *   face in a microscope's picture of cells), 1.25 misses faces under about 100 pixels;
 * - 6 neighbours (a face must be found in at least 7 overlapping windows): the test faces
 *   are found in 11 to 28 (3 to 8 under 100 pixels), what the cascade wrongly takes for a
 *   face (the space suit, the edge of a photograph on a wall, cells) in at most 5, and a
 *   customer alone told "only one person, please" is worse than a frame missed;
 * - OpenCV's own threads are off (cv::setNumThreads(0), once per process): a detection runs
 *   on the caller's thread only, so it takes one CPU and leaves the other to the UI, and
 *   the result does not depend on how the work was split. OpenCL is off (no GPU here, and
 *   no OpenCL runtime loaded behind the kiosk's back); OpenCV's own log to stderr is cut to
 *   errors: what the caller needs comes back in err. */
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <mutex>
#include <new>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/core/ocl.hpp>
#include <opencv2/core/utils/logger.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/objdetect.hpp>

extern "C" {
#include "face/face.h"
}

namespace
{

const double kScaleFactor = 1.2;
const int kNeighbours = 6;

std::once_flag configured;

void configure()
{
    cv::setNumThreads(0);
    cv::ocl::setUseOpenCL(false);
    cv::utils::logging::setLogLevel(cv::utils::logging::LOG_LEVEL_ERROR);
}

/* The reason of the exception being handled, caught at the C boundary; `cv_means` says what
 * an OpenCV error means there. */
void explain(char *err, size_t errcap, const char *what, const char *cv_means)
{
    try {
        throw;
    } catch (const cv::Exception &e) {
        snprintf(err, errcap, "%s: %s (OpenCV: %s)", what, cv_means, e.err.c_str());
    } catch (const std::bad_alloc &) {
        snprintf(err, errcap, "%s: out of memory", what);
    } catch (const std::exception &e) {
        snprintf(err, errcap, "%s: %s", what, e.what());
    } catch (...) {
        snprintf(err, errcap, "%s: unknown C++ exception", what);
    }
}

bool larger(const face_box &a, const face_box &b)
{
    long long aa = (long long)a.w * a.h, ba = (long long)b.w * b.h;
    if (aa != ba)
        return aa > ba;
    return a.y != b.y ? a.y < b.y : a.x < b.x; /* a fixed order for equal sizes */
}

} // namespace

struct face_detector {
    cv::CascadeClassifier cascade;
    cv::Size window;             /* the cascade's window, its smallest face */
    cv::Mat small;               /* the shrunk frame, reused, wiped after use */
    std::vector<cv::Rect> found; /* in the shrunk frame */
    std::vector<face_box> boxes; /* in the caller's frame */
};

/* The shrunk copy of the frame is not kept (the cascade's own buffers still hold what it
 * computed from it until the next frame or face_detector_close()). */
static void wipe(face_detector *d) noexcept
{
    if (!d->small.empty() && d->small.isContinuous())
        memset(d->small.data, 0, d->small.total() * d->small.elemSize());
}

extern "C" struct face_detector *face_detector_open(const char *path, char *err, size_t errcap)
{
    if (!path || !*path) {
        snprintf(err, errcap, "face cascade: no file named");
        return NULL;
    }
    /* OpenCV says "not a cascade" for a file it cannot open: ask first, for the real reason. */
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errcap, "face cascade %s: %s", path, strerror(errno));
        return NULL;
    }
    fclose(f);
    face_detector *d = NULL;
    try {
        std::call_once(configured, configure);
        d = new face_detector();
        if (!d->cascade.load(path) || d->cascade.empty()) {
            snprintf(err, errcap, "face cascade %s: not an OpenCV cascade", path);
            delete d;
            return NULL;
        }
        d->window = d->cascade.getOriginalWindowSize();
        if (d->window.width < 1 || d->window.height < 1) {
            snprintf(err, errcap, "face cascade %s: no window size", path);
            delete d;
            return NULL;
        }
        return d;
    } catch (...) {
        char what[512];
        snprintf(what, sizeof what, "face cascade %s", path);
        explain(err, errcap, what, "not an OpenCV cascade");
        delete d;
        return NULL;
    }
}

extern "C" int face_detect(struct face_detector *d, const uint8_t *grey, int w, int h, int stride,
                           int min_side, struct face_box *out, int max, char *err, size_t errcap)
{
    if (!d || !grey || w < 16 || w > 4096 || h < 16 || h > 4096 || stride < w || max < 0 ||
        (max > 0 && !out)) {
        snprintf(err, errcap, "face detect: bad frame (%dx%d, stride %d) or arguments", w, h,
                 stride);
        return -1;
    }
    if (min_side > w)
        return 0; /* no face is wider than the frame */
    try {
        /* The caller's pixels, not copied. */
        cv::Mat frame(h, w, CV_8UC1, const_cast<uint8_t *>(grey), (size_t)stride);
        int least = std::max(min_side, std::max(d->window.width, d->window.height));
        int k = std::max(1, least * 3 / (d->window.width * 4));
        while (k > 1 && (w / k < d->window.width || h / k < d->window.height))
            k--;
        cv::Mat work = frame;
        if (k > 1) {
            cv::resize(frame, d->small, cv::Size(w / k, h / k), 0, 0, cv::INTER_AREA);
            work = d->small;
        }
        int side = std::max((least + k - 1) / k, d->window.width);
        d->found.clear();
        d->cascade.detectMultiScale(work, d->found, kScaleFactor, kNeighbours, 0,
                                    cv::Size(side, side * d->window.height / d->window.width));
        wipe(d);

        /* Back to the caller's pixels (the shrunk frame may have dropped a last column). */
        d->boxes.clear();
        for (const cv::Rect &r : d->found) {
            int x0 = r.x * w / work.cols, x1 = (r.x + r.width) * w / work.cols;
            int y0 = r.y * h / work.rows, y1 = (r.y + r.height) * h / work.rows;
            face_box b = {x0, y0, x1 - x0, y1 - y0};
            if (b.w >= min_side)
                d->boxes.push_back(b);
        }
        std::sort(d->boxes.begin(), d->boxes.end(), larger);
        int n = (int)d->boxes.size();
        for (int i = 0; i < n && i < max; i++)
            out[i] = d->boxes[(size_t)i];
        return n;
    } catch (...) {
        explain(err, errcap, "face detect", "failed");
        wipe(d);
        return -1;
    }
}

extern "C" void face_detector_close(struct face_detector *d)
{
    delete d; /* destructors do not throw */
}
