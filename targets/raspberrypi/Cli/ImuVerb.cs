using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Threading;
using Edge.Pi.Devices;
using Edge.Pi.Drivers;
using Edge.Pi.Pipelines;
using Edge.Runtime;

namespace Edge.Pi.Cli
{
    /// <summary>
    /// <c>edge-pi imu --model M.edge [--bus 1] [--address 0x68] [--rate HZ] [--hop N] [--count N] [--channels 3|6]
    /// [--accel-range 2|4|8|16] [--gyro-range 250|500|1000|2000] [--dlpf 0..7] [--kernels K]</c>: MPU6050 →
    /// sliding window → model; prints the top class and score every hop.
    /// </summary>
    public sealed class ImuVerb : IPiVerb
    {
        private readonly Func<int, int, I2cDevice> _openI2c;

        public ImuVerb() : this((bus, addr) => Edge.Pi.Linux.DeviceFactory.Current.OpenI2c(bus, addr)) { }

        /// <summary>For tests: <paramref name="openI2c"/>(bus, address) opens the MPU6050's device.</summary>
        public ImuVerb(Func<int, int, I2cDevice> openI2c) { _openI2c = openI2c; }

        public string Name => "imu";
        public string Usage => "imu --model M.edge [--bus 1] [--address 0x68] [--rate HZ] [--hop N] [--count N] [--channels 3|6] [--accel-range G] [--gyro-range DPS] [--dlpf 0..7] [--kernels K]";

        public int Run(string[] args, TextWriter stdout, TextWriter stderr)
        {
            var inv = CultureInfo.InvariantCulture;
            SensorVerbArgs a;
            string modelPath;
            int bus, address, hop, count, channels, dlpf;
            double rate;
            AccelRange accel;
            GyroRange gyro;
            EdgeModel model;
            string kernels;
            try
            {
                a = new SensorVerbArgs(args, flags: Array.Empty<string>());
                modelPath = a.Required("model");
                bus = a.Int("bus", 1);
                string addrText = a.Option("address") ?? "0x68";
                if (!SensorVerbArgs.TryParseInt(addrText, out address) || address < 0x03 || address > 0x77) throw new UsageError($"--address: '{addrText}' is not a 7-bit I2C address");
                rate = a.Double("rate", 100);
                if (!(rate >= 4 && rate <= 1000)) throw new UsageError("--rate must be in [4, 1000] Hz (the MPU6050's range with the DLPF on)");
                hop = a.Int("hop", 0);
                count = a.Int("count", 0);
                channels = a.Int("channels", 0);
                if (channels != 0 && channels != 3 && channels != 6) throw new UsageError("--channels must be 3 or 6");
                dlpf = a.Int("dlpf", 3);
                if (dlpf < 1 || dlpf > 6) throw new UsageError("--dlpf must be 1..6 (the low-pass filter on; 0 and 7 switch it off and the rate to 8 kHz)");
                accel = a.Int("accel-range", 2) switch { 2 => AccelRange.G2, 4 => AccelRange.G4, 8 => AccelRange.G8, 16 => AccelRange.G16, _ => throw new UsageError("--accel-range must be 2, 4, 8 or 16 (g)") };
                gyro = a.Int("gyro-range", 250) switch { 250 => GyroRange.Dps250, 500 => GyroRange.Dps500, 1000 => GyroRange.Dps1000, 2000 => GyroRange.Dps2000, _ => throw new UsageError("--gyro-range must be 250, 500, 1000 or 2000 (°/s)") };
                if (count < 0) throw new UsageError("--count must be ≥ 0 (0: run until Ctrl+C)");
                a.CheckAllUsed();
                (model, kernels) = SensorVerbArgs.LoadModel(modelPath, a.Option("kernels") ?? "auto");
            }
            catch (UsageError e)
            {
                stderr.WriteLine($"edge-pi imu: {e.Message}");
                stderr.WriteLine("usage: edge-pi " + Usage);
                return Program.ExitUsage;
            }

            var interp = new Interpreter(model, new byte[model.ArenaBytes]);
            ImuInputLayout layout;
            ImuPipeline pipeline;
            try
            {
                layout = ImuInputLayout.FromShape(interp.Input(0).Shape, channels);
                if (hop == 0) hop = Math.Max(1, layout.Window / 2);
                if (hop < 1) { stderr.WriteLine("edge-pi imu: --hop must be at least 1"); return Program.ExitUsage; }
                pipeline = new ImuPipeline(interp, hop, channels);
            }
            catch (ArgumentException e)
            {
                stderr.WriteLine($"edge-pi imu: {modelPath}: {e.Message}");
                return Program.ExitInvalid;
            }

            using var dev = _openI2c(bus, address);
            var imu = new Mpu6050(dev);
            double actual = imu.Configure(rate, dlpf, accel, gyro);
            stdout.WriteLine($"{modelPath}: window {layout.Window} × {layout.Channels} ({(layout.Channels == 6 ? "ax ay az g, gx gy gz °/s" : "ax ay az g")}), hop {hop}, kernels: {kernels}");
            stdout.WriteLine($"MPU6050 bus {bus} 0x{address:x2}: {actual.ToString("F2", inv)} Hz (SMPLRT_DIV {imu.ReadRegister(Mpu6050.RegSmplrtDiv)}, DLPF {dlpf}), ±{2 << (int)accel} g, ±{250 << (int)gyro} °/s");

            bool stop = false;
            ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; Volatile.Write(ref stop, true); };
            Console.CancelKeyPress += onCancel;
            try
            {
                var s = new ImuSample();
                double period = Stopwatch.Frequency / actual;
                long origin = Stopwatch.GetTimestamp();
                double next = origin;
                long ms2 = Stopwatch.Frequency / 500;
                while (!Volatile.Read(ref stop))
                {
                    long now;
                    while ((now = Stopwatch.GetTimestamp()) < next)
                    {
                        if (next - now > ms2) Thread.Sleep(1); else Thread.SpinWait(20);
                    }
                    imu.Read(ref s);
                    next += period;
                    if (next < now) next = now; // late: skip rather than burst
                    if (!pipeline.Push(s)) continue;
                    double t = (Stopwatch.GetTimestamp() - origin) / (double)Stopwatch.Frequency;
                    stdout.WriteLine($"{t.ToString("F3", inv)} s  class {pipeline.TopClass}  score {pipeline.TopScore.ToString("F4", inv)}");
                    if (count > 0 && pipeline.Inferences >= count) break;
                }
            }
            finally
            {
                Console.CancelKeyPress -= onCancel;
            }
            return Program.ExitOk;
        }
    }
}
