using System;
using System.Globalization;
using System.IO;
using System.Security;
using System.Text;

namespace Edge.Pi.Energy
{
    /// <summary>Writes an <see cref="EnergyTrace"/> as CSV and as a hand-written SVG plot.</summary>
    public static class TraceWriter
    {
        private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

        /// <summary>CSV header: time_s, bus_V, current_mA, power_mW, in_inference (1 inside an inference window, else 0).</summary>
        public const string CsvHeader = "time_s,bus_V,current_mA,power_mW,in_inference";

        public static void WriteCsv(EnergyTrace tr, TextWriter w)
        {
            w.WriteLine(CsvHeader);
            int k = 0; // inference windows are sorted and disjoint; walk them with the samples
            for (int i = 0; i < tr.Count; i++)
            {
                double t = tr.Time[i];
                while (k < tr.Inferences && tr.InferenceEnd[k] < t) k++;
                bool inside = k < tr.Inferences && tr.InferenceStart[k] <= t && t <= tr.InferenceEnd[k];
                w.Write(t.ToString("F6", Inv)); w.Write(',');
                w.Write(tr.Volts[i].ToString("F4", Inv)); w.Write(',');
                w.Write((tr.Amps[i] * 1000).ToString("F4", Inv)); w.Write(',');
                w.Write((tr.Power(i) * 1000).ToString("F4", Inv)); w.Write(',');
                w.WriteLine(inside ? '1' : '0');
            }
        }

        /// <summary>The smallest 1-2-5 × 10^k step that cuts <paramref name="range"/> into at most <paramref name="maxTicks"/> pieces.</summary>
        public static double NiceStep(double range, int maxTicks)
        {
            if (!(range > 0)) return 1;
            double raw = range / maxTicks;
            double decade = Math.Pow(10, Math.Floor(Math.Log10(raw)));
            foreach (double m in new[] { 1.0, 2.0, 5.0, 10.0 })
                if (m * decade >= raw) return m * decade;
            return 10 * decade;
        }

        /// <summary>
        /// SVG (900 × 400): power (mW) over time (s) as a polyline (min/max per pixel column when there are more
        /// samples than pixels), the inference windows shaded (windows closer than a pixel merged), the idle
        /// window marked, axes with ticks, and a title with the µJ per inference.
        /// </summary>
        public static void WriteSvg(EnergyTrace tr, EnergyReport report, TextWriter w, string title = null)
        {
            const int W = 900, H = 400, L = 70, R = 20, T = 50, B = 50;
            int pw = W - L - R, ph = H - T - B;
            int n = tr.Count;
            double t0 = n > 0 ? Math.Min(tr.Time[0], tr.IdleStart) : 0;
            double t1 = n > 0 ? tr.Time[n - 1] : 1;
            if (!(t1 > t0)) t1 = t0 + 1;
            double pMin = double.MaxValue, pMax = double.MinValue;
            for (int i = 0; i < n; i++) { double p = tr.Power(i) * 1000; pMin = Math.Min(pMin, p); pMax = Math.Max(pMax, p); }
            if (n == 0) { pMin = 0; pMax = 1; }
            double yStep = NiceStep(Math.Max(pMax - pMin, 1e-6), 6);
            double y0 = Math.Floor(pMin / yStep) * yStep, y1 = Math.Ceiling(pMax / yStep) * yStep;
            if (y1 <= y0) y1 = y0 + yStep;
            double xStep = NiceStep(t1 - t0, 10);

            double X(double t) => L + (t - t0) / (t1 - t0) * pw;
            double Y(double p) => T + ph - (p - y0) / (y1 - y0) * ph;
            string F(double v) => v.ToString("0.##", Inv);

            var sb = new StringBuilder();
            sb.Append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
            sb.Append($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{W}\" height=\"{H}\" viewBox=\"0 0 {W} {H}\" font-family=\"sans-serif\" font-size=\"12\">\n");
            sb.Append($"<rect x=\"0\" y=\"0\" width=\"{W}\" height=\"{H}\" fill=\"white\"/>\n");
            string head = title ?? "edge-pi energy";
            string t = $"{head}: {report.MicrojoulesPerInference.ToString("F1", Inv)} µJ/inference (idle {(report.IdlePowerW * 1000).ToString("F1", Inv)} mW, active {(report.ActivePowerW * 1000).ToString("F1", Inv)} mW, p50 {report.P50Ms.ToString("F3", Inv)} ms, N = {report.Inferences})";
            sb.Append($"<title>{Esc(t)}</title>\n");
            sb.Append($"<text x=\"{W / 2}\" y=\"28\" text-anchor=\"middle\" font-size=\"14\">{Esc(t)}</text>\n");

            // Idle window and inference windows.
            sb.Append($"<rect class=\"idle\" x=\"{F(X(tr.IdleStart))}\" y=\"{T}\" width=\"{F(Math.Max(0, X(tr.IdleEnd) - X(tr.IdleStart)))}\" height=\"{ph}\" fill=\"#e8e8e8\"/>\n");
            sb.Append($"<text x=\"{F((X(tr.IdleStart) + X(tr.IdleEnd)) / 2)}\" y=\"{T + 14}\" text-anchor=\"middle\" fill=\"#666\">idle</text>\n");
            sb.Append("<g class=\"inference\" fill=\"#ffd8a8\" fill-opacity=\"0.7\">\n");
            for (int k = 0; k < tr.Inferences;)
            {
                double xs = X(tr.InferenceStart[k]), xe = X(tr.InferenceEnd[k]);
                int j = k + 1;
                while (j < tr.Inferences && X(tr.InferenceStart[j]) - xe < 1.0) { xe = X(tr.InferenceEnd[j]); j++; }
                sb.Append($"<rect x=\"{F(xs)}\" y=\"{T}\" width=\"{F(Math.Max(0.5, xe - xs))}\" height=\"{ph}\"/>\n");
                k = j;
            }
            sb.Append("</g>\n");

            // Grid, ticks and labels.
            sb.Append("<g stroke=\"#ccc\" stroke-width=\"0.5\">\n");
            for (double v = y0; v <= y1 + yStep * 1e-9; v += yStep)
                sb.Append($"<line x1=\"{L}\" y1=\"{F(Y(v))}\" x2=\"{L + pw}\" y2=\"{F(Y(v))}\"/>\n");
            sb.Append("</g>\n<g text-anchor=\"end\">\n");
            for (double v = y0; v <= y1 + yStep * 1e-9; v += yStep)
                sb.Append($"<text x=\"{L - 6}\" y=\"{F(Y(v) + 4)}\">{Esc(v.ToString("G6", Inv))}</text>\n");
            sb.Append("</g>\n<g text-anchor=\"middle\">\n");
            double xFirst = Math.Ceiling(t0 / xStep) * xStep;
            for (double v = xFirst; v <= t1 + xStep * 1e-9; v += xStep)
            {
                sb.Append($"<line x1=\"{F(X(v))}\" y1=\"{T + ph}\" x2=\"{F(X(v))}\" y2=\"{T + ph + 5}\" stroke=\"black\"/>\n");
                sb.Append($"<text x=\"{F(X(v))}\" y=\"{T + ph + 18}\">{Esc(v.ToString("G6", Inv))}</text>\n");
            }
            sb.Append("</g>\n");
            sb.Append($"<line x1=\"{L}\" y1=\"{T + ph}\" x2=\"{L + pw}\" y2=\"{T + ph}\" stroke=\"black\"/>\n");
            sb.Append($"<line x1=\"{L}\" y1=\"{T}\" x2=\"{L}\" y2=\"{T + ph}\" stroke=\"black\"/>\n");
            sb.Append($"<text x=\"{L + pw / 2}\" y=\"{H - 10}\" text-anchor=\"middle\">time (s)</text>\n");
            sb.Append($"<text x=\"16\" y=\"{T + ph / 2}\" text-anchor=\"middle\" transform=\"rotate(-90 16 {T + ph / 2})\">power (mW)</text>\n");

            // The power polyline.
            sb.Append("<polyline class=\"power\" fill=\"none\" stroke=\"#1f5fbf\" stroke-width=\"1\" points=\"");
            if (n <= 2 * pw)
            {
                for (int i = 0; i < n; i++) sb.Append(F(X(tr.Time[i]))).Append(',').Append(F(Y(tr.Power(i) * 1000))).Append(' ');
            }
            else
            {
                // Min and max of each pixel column, in time order within the column.
                int i = 0;
                while (i < n)
                {
                    int col = (int)(X(tr.Time[i]) - L);
                    int iMin = i, iMax = i;
                    while (i < n && (int)(X(tr.Time[i]) - L) == col)
                    {
                        if (tr.Power(i) < tr.Power(iMin)) iMin = i;
                        if (tr.Power(i) > tr.Power(iMax)) iMax = i;
                        i++;
                    }
                    int first = Math.Min(iMin, iMax), second = Math.Max(iMin, iMax);
                    sb.Append(F(X(tr.Time[first]))).Append(',').Append(F(Y(tr.Power(first) * 1000))).Append(' ');
                    if (second != first) sb.Append(F(X(tr.Time[second]))).Append(',').Append(F(Y(tr.Power(second) * 1000))).Append(' ');
                }
            }
            sb.Append("\"/>\n");
            // Idle level.
            double yi = Y(report.IdlePowerW * 1000);
            sb.Append($"<line class=\"idle-level\" x1=\"{L}\" y1=\"{F(yi)}\" x2=\"{L + pw}\" y2=\"{F(yi)}\" stroke=\"#888\" stroke-dasharray=\"4 3\"/>\n");
            sb.Append("</svg>\n");
            w.Write(sb.ToString());
        }

        private static string Esc(string s) => SecurityElement.Escape(s);
    }
}
