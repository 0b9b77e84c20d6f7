using System;
using System.Threading;
using System.IO;
using Edge.Pi.Devices;

namespace Edge.Pi.Linux
{
    /// <summary>
    /// Opens the devices verbs use. The default opens the Linux devices; tests substitute simulated ones with
    /// <see cref="Override"/>, which applies to the calling async flow only (so tests running in parallel do not
    /// see each other's devices):
    /// <code>using (DeviceFactory.Override(new MyFactory())) Program.Run(args, stdout, stderr);</code>
    /// </summary>
    public class DeviceFactory
    {
        private static readonly AsyncLocal<DeviceFactory> _override = new();

        /// <summary>The Linux devices.</summary>
        public static DeviceFactory Linux { get; } = new DeviceFactory();

        /// <summary>The factory in effect for this async flow.</summary>
        public static DeviceFactory Current => _override.Value ?? Linux;

        /// <summary>Makes <paramref name="factory"/> current until the returned handle is disposed.</summary>
        public static IDisposable Override(DeviceFactory factory)
        {
            var previous = _override.Value;
            _override.Value = factory;
            return new Restore(previous);
        }

        private sealed class Restore : IDisposable
        {
            private readonly DeviceFactory _previous;
            public Restore(DeviceFactory previous) { _previous = previous; }
            public void Dispose() => _override.Value = _previous;
        }

        public virtual FrameSource OpenCamera(string devicePath, int width, int height, PixelFormat format) =>
            new V4l2FrameSource(devicePath, width, height, format);

        /// <param name="spec">"CHIP:LINE", e.g. "gpiochip0:17" or "0:17".</param>
        public virtual GpioOutput OpenGpioOutput(string spec) => new LinuxGpioOutput(spec);

        public virtual I2cDevice OpenI2c(int busId, int address) => new LinuxI2cDevice(busId, address);

        /// <summary>
        /// Audio for <c>listen</c>: "-" is standard input (raw S16_LE, or a WAV stream as arecord writes by default),
        /// anything else a 16 kHz mono 16-bit PCM WAV file.
        /// </summary>
        public virtual SampleSource OpenAudio(string spec) =>
            spec == "-"
                ? Edge.Pi.Audio.PcmStreamSource.Open(Console.OpenStandardInput(), true, "standard input")
                : Edge.Pi.Audio.PcmStreamSource.OpenFile(spec);
    }
}
