using System;
using System.Diagnostics;
using System.IO;

namespace Edge.Converter.Quantization
{
    /// <summary>
    /// Progress over a known number of steps on one writer (stderr): on a terminal one line redrawn in place
    /// (<c>\r</c>) with a bar, count, rate and elapsed time; otherwise (redirected, CI logs) a plain line at every
    /// 10 % and at the end. Redraws at most every 100 ms.
    /// </summary>
    public sealed class ProgressBar
    {
        private readonly TextWriter _w;
        private readonly string _label;
        private readonly int _total;
        private readonly bool _terminal;
        private readonly Stopwatch _sw = Stopwatch.StartNew();
        private long _lastDrawMs = -1000;
        private int _lastDecile = -1;
        private int _done;

        public ProgressBar(TextWriter w, string label, int total, bool? terminal = null)
        {
            _w = w; _label = label; _total = Math.Max(total, 1);
            _terminal = terminal ?? (ReferenceEquals(w, Console.Error) && !Console.IsErrorRedirected);
        }

        public void Step()
        {
            _done++;
            bool last = _done >= _total;
            if (_terminal)
            {
                long now = _sw.ElapsedMilliseconds;
                if (!last && now - _lastDrawMs < 100) return;
                _lastDrawMs = now;
                const int width = 30;
                int fill = (int)((long)width * _done / _total);
                _w.Write($"\r{_label} [{new string('#', fill)}{new string('.', width - fill)}] {_done}/{_total} {Rate()}");
                if (last) _w.WriteLine();
                _w.Flush();
            }
            else
            {
                int decile = (int)(10L * _done / _total);
                if (decile == _lastDecile && !last) return;
                if (decile == _lastDecile && last && _lastDecile == 10) return;
                _lastDecile = decile;
                _w.WriteLine($"{_label}: {_done}/{_total} ({100L * _done / _total}%) {Rate()}");
            }
        }

        private string Rate()
        {
            double s = _sw.Elapsed.TotalSeconds;
            return $"{s:F1} s" + (s > 0 ? $", {_done / s:F1}/s" : "");
        }
    }
}
