using System;
using System.Diagnostics;
using System.Threading;

namespace Edge.Pi.Energy
{
    /// <summary>
    /// The energy runner, after MLPerf Tiny's: a dedicated thread samples a <see cref="PowerSensor"/> at a fixed
    /// rate (timestamps from <see cref="Stopwatch"/>, the middle of each read) into a preallocated
    /// <see cref="EnergyTrace"/>, first during an idle window and then while the calling thread runs N inferences
    /// back to back, recording each inference's start and end. Nothing is allocated while measuring (both threads'
    /// allocations are counted into the trace). <see cref="EnergyMath.Analyze"/> turns the trace into µJ per
    /// inference.
    /// <para>
    /// The sampler sleeps while the next sample is more than 2 ms away and spins for the rest, so at rates above
    /// ~500 Hz it keeps one core busy. It does so identically in the idle and the inference windows, so its own
    /// power cancels in P − P_idle; with a sensor on the board's own supply, what is measured is the whole
    /// board's extra energy for the inferences.
    /// </para>
    /// </summary>
    public sealed class EnergyMeter
    {
        private readonly PowerSensor _sensor;
        private readonly EnergyTrace _trace;
        private readonly double _rateHz;
        private long _origin;
        private volatile bool _stop;
        private int _count;              // published with Volatile.Write by the sampler
        private Exception _samplerError;

        public EnergyMeter(PowerSensor sensor, EnergyTrace trace, double rateHz)
        {
            _sensor = sensor ?? throw new ArgumentNullException(nameof(sensor));
            _trace = trace ?? throw new ArgumentNullException(nameof(trace));
            if (!(rateHz > 0) || rateHz > 100_000) throw new ArgumentOutOfRangeException(nameof(rateHz), "rate must be in (0, 100000] Hz");
            _rateHz = rateHz;
        }

        /// <summary>Samples needed for a measurement of about <paramref name="seconds"/> at <paramref name="rateHz"/>, with margin.</summary>
        public static int CapacityFor(double rateHz, double seconds) => (int)Math.Min(int.MaxValue / 2, Math.Ceiling(rateHz * seconds * 1.25) + 64);

        /// <summary>
        /// Runs the measurement: idle for <paramref name="idleSeconds"/>, then <paramref name="iterations"/> calls of
        /// <paramref name="inference"/> on this thread, then waits until a sample lies after the last inference.
        /// Fills and returns the trace.
        /// </summary>
        public EnergyTrace Run(Action inference, int iterations, double idleSeconds)
        {
            if (inference == null) throw new ArgumentNullException(nameof(inference));
            if (iterations < 1 || iterations > _trace.InferenceStart.Length) throw new ArgumentOutOfRangeException(nameof(iterations), $"1..{_trace.InferenceStart.Length}");
            if (!(idleSeconds > 0)) throw new ArgumentOutOfRangeException(nameof(idleSeconds), "idle window must be positive");
            var tr = _trace;
            tr.Count = 0; tr.Inferences = 0; tr.Truncated = false; tr.OverflowSamples = 0;
            tr.RequestedRateHz = _rateHz;
            _count = 0; _stop = false; _samplerError = null;
            double freq = Stopwatch.Frequency;
            _origin = Stopwatch.GetTimestamp();

            var thread = new Thread(SampleLoop) { IsBackground = true, Name = "edge-pi energy sampler", Priority = ThreadPriority.AboveNormal };
            thread.Start();
            try
            {
                // Wait for the first sample so the idle window lies inside the trace.
                long deadline = Stopwatch.GetTimestamp() + 5 * Stopwatch.Frequency;
                while (Volatile.Read(ref _count) == 0 && _samplerError == null && !tr.Truncated && Stopwatch.GetTimestamp() < deadline) Thread.Sleep(1);
                ThrowIfSamplerFailed();
                tr.IdleStart = Now(freq);
                SleepSeconds(idleSeconds);
                tr.IdleEnd = Now(freq);
                // Stay idle until a sample lies after the idle window, so that the window's end is interpolated
                // between idle samples only.
                deadline = Stopwatch.GetTimestamp() + (long)((1.0 + 4.0 / _rateHz) * Stopwatch.Frequency);
                while (_samplerError == null && !tr.Truncated && Stopwatch.GetTimestamp() < deadline)
                {
                    int c = Volatile.Read(ref _count);
                    if (c > 0 && tr.Time[c - 1] > tr.IdleEnd) break;
                    Thread.Sleep(1);
                }

                long alloc0 = GC.GetAllocatedBytesForCurrentThread();
                for (int i = 0; i < iterations; i++)
                {
                    double s = Now(freq);
                    inference();
                    double e = Now(freq);
                    tr.InferenceStart[i] = s; tr.InferenceEnd[i] = e;
                    if (_samplerError != null) break;
                }
                tr.MainAllocatedBytes = GC.GetAllocatedBytesForCurrentThread() - alloc0;
                tr.Inferences = iterations;
                ThrowIfSamplerFailed();

                // Tail: at least one sample after the last inference ended.
                double lastEnd = tr.InferenceEnd[iterations - 1];
                deadline = Stopwatch.GetTimestamp() + (long)((1.0 + 4.0 / _rateHz) * Stopwatch.Frequency);
                while (_samplerError == null && !tr.Truncated && Stopwatch.GetTimestamp() < deadline)
                {
                    int c = Volatile.Read(ref _count);
                    if (c > 0 && tr.Time[c - 1] > lastEnd) break;
                    Thread.Sleep(1);
                }
            }
            finally
            {
                _stop = true;
                thread.Join();
            }
            ThrowIfSamplerFailed();
            tr.Count = _count;
            int ovf = 0;
            for (int i = 0; i < tr.Count; i++) if (tr.Overflow[i]) ovf++;
            tr.OverflowSamples = ovf;
            return tr;
        }

        private double Now(double freq) => (Stopwatch.GetTimestamp() - _origin) / freq;

        private void ThrowIfSamplerFailed()
        {
            var e = _samplerError;
            if (e != null) throw e is Edge.Pi.Cli.DeviceException || e is System.IO.IOException
                ? e : new InvalidOperationException("energy sampler failed: " + e.Message, e);
        }

        private static void SleepSeconds(double s)
        {
            long end = Stopwatch.GetTimestamp() + (long)(s * Stopwatch.Frequency);
            long ms2 = Stopwatch.Frequency / 500;
            long now;
            while ((now = Stopwatch.GetTimestamp()) < end)
            {
                long left = end - now;
                if (left > ms2) Thread.Sleep((int)Math.Max(1, (left - ms2) * 1000 / Stopwatch.Frequency));
                else Thread.SpinWait(50);
            }
        }

        private void SampleLoop()
        {
            var tr = _trace;
            var sensor = _sensor;
            double freq = Stopwatch.Frequency;
            double period = freq / _rateHz;
            long ms2 = Stopwatch.Frequency / 500;
            int cap = tr.Capacity;
            int count = 0;
            long alloc0 = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                double next = Stopwatch.GetTimestamp();
                while (!_stop)
                {
                    long now;
                    while ((now = Stopwatch.GetTimestamp()) < next)
                    {
                        if (_stop) break;
                        if (next - now > ms2) Thread.Sleep(1); else Thread.SpinWait(20);
                    }
                    if (_stop) break;
                    if (count == cap) { tr.Truncated = true; break; }
                    long t0 = Stopwatch.GetTimestamp();
                    sensor.Read(out double v, out double a);
                    long t1 = Stopwatch.GetTimestamp();
                    tr.Time[count] = ((t0 - _origin) + (t1 - t0) * 0.5) / freq;
                    tr.Volts[count] = v;
                    tr.Amps[count] = a;
                    tr.Overflow[count] = sensor.LastOverflow;
                    count++;
                    Volatile.Write(ref _count, count);
                    next += period;
                    if (next < t1) next = t1; // late (a slow read or a preemption): do not burst to catch up
                }
            }
            catch (Exception e)
            {
                _samplerError = e;
            }
            tr.SamplerAllocatedBytes = GC.GetAllocatedBytesForCurrentThread() - alloc0;
        }
    }
}
