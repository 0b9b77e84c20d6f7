using System;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Edge.Pi.Devices;

namespace Edge.Pi.Linux
{
    /// <summary>struct gpio_v2_line_attribute (linux/gpio.h): id, padding, then a union of flags/values/debounce.</summary>
    [CType("struct gpio_v2_line_attribute")]
    [StructLayout(LayoutKind.Explicit, Size = 16)]
    public struct gpio_v2_line_attribute
    {
        [FieldOffset(0)] public uint id;
        [FieldOffset(4)] public uint padding;
        [FieldOffset(8)] public ulong flags;
        [FieldOffset(8)] public ulong values;
        [FieldOffset(8)] public uint debounce_period_us;
    }

    [CType("struct gpio_v2_line_config_attribute")]
    [StructLayout(LayoutKind.Sequential)]
    public struct gpio_v2_line_config_attribute
    {
        public gpio_v2_line_attribute attr;
        public ulong mask;
    }

    /// <summary>struct gpio_v2_line_config: flags, num_attrs, padding[5], attrs[GPIO_V2_LINE_NUM_ATTRS_MAX] (272 bytes).</summary>
    [CType("struct gpio_v2_line_config")]
    [StructLayout(LayoutKind.Sequential)]
    public unsafe struct gpio_v2_line_config
    {
        public ulong flags;
        public uint num_attrs;
        public fixed uint padding[5];
        /// <summary>10 × gpio_v2_line_config_attribute (24 bytes each); see <see cref="Attr"/>.</summary>
        public fixed byte attrs[GpioConst.GPIO_V2_LINE_NUM_ATTRS_MAX * 24];

        public ref gpio_v2_line_config_attribute Attr(int i)
        {
            if ((uint)i >= GpioConst.GPIO_V2_LINE_NUM_ATTRS_MAX) throw new ArgumentOutOfRangeException(nameof(i));
            fixed (byte* p = attrs) return ref ((gpio_v2_line_config_attribute*)p)[i];
        }
    }

    /// <summary>struct gpio_v2_line_request (592 bytes): the argument of GPIO_V2_GET_LINE_IOCTL; the kernel fills <see cref="fd"/>.</summary>
    [CType("struct gpio_v2_line_request")]
    [StructLayout(LayoutKind.Sequential)]
    public unsafe struct gpio_v2_line_request
    {
        public fixed uint offsets[GpioConst.GPIO_V2_LINES_MAX];
        public fixed byte consumer[GpioConst.GPIO_MAX_NAME_SIZE];
        public gpio_v2_line_config config;
        public uint num_lines;
        public uint event_buffer_size;
        public fixed uint padding[5];
        public int fd;
    }

    [CType("struct gpio_v2_line_values")]
    [StructLayout(LayoutKind.Sequential)]
    public struct gpio_v2_line_values
    {
        public ulong bits;
        public ulong mask;
    }

    /// <summary>linux/gpio.h constants and the v2 ioctl numbers computed with the _IOC macros.</summary>
    [CConstants("linux/gpio.h")]
    public static class GpioConst
    {
        public const int GPIO_V2_LINES_MAX = 64, GPIO_MAX_NAME_SIZE = 32, GPIO_V2_LINE_NUM_ATTRS_MAX = 10;
        public const ulong GPIO_V2_LINE_FLAG_INPUT = 1UL << 2, GPIO_V2_LINE_FLAG_OUTPUT = 1UL << 3;
        public const uint GPIO_V2_LINE_ATTR_ID_FLAGS = 1, GPIO_V2_LINE_ATTR_ID_OUTPUT_VALUES = 2;

        public static readonly uint GPIO_V2_GET_LINE_IOCTL = Ioc.IOWR<gpio_v2_line_request>((char)0xB4, 0x07);
        public static readonly uint GPIO_V2_LINE_SET_VALUES_IOCTL = Ioc.IOWR<gpio_v2_line_values>((char)0xB4, 0x0F);
        public static readonly uint GPIO_V2_LINE_GET_VALUES_IOCTL = Ioc.IOWR<gpio_v2_line_values>((char)0xB4, 0x0E);
    }

    /// <summary>
    /// One GPIO output line through the GPIO character device, uAPI v2 (/dev/gpiochipN; the sysfs interface is
    /// deprecated). The line is requested once as an output driven low; <see cref="Write"/> is one
    /// GPIO_V2_LINE_SET_VALUES_IOCTL. Closing the line fd releases it.
    /// </summary>
    public sealed unsafe class LinuxGpioOutput : GpioOutput
    {
        private int _lineFd = -1;

        public string ChipPath { get; }
        public int Line { get; }

        /// <param name="spec">"CHIP:LINE": "gpiochip0:17", "0:17" or "/dev/gpiochip0:17".</param>
        public LinuxGpioOutput(string spec, string consumer = "edge-pi", bool initialHigh = false)
            : this(ParseSpec(spec).ChipPath, ParseSpec(spec).Line, consumer, initialHigh) { }

        public LinuxGpioOutput(string chipPath, int line, string consumer = "edge-pi", bool initialHigh = false)
        {
            if (line < 0) throw new ArgumentOutOfRangeException(nameof(line));
            ChipPath = chipPath;
            Line = line;
            int chip = Libc.OpenDevice(chipPath, LibcConst.O_RDWR | LibcConst.O_CLOEXEC);
            try
            {
                gpio_v2_line_request req = default;
                req.offsets[0] = (uint)line;
                int n = Encoding.ASCII.GetBytes(consumer ?? "", new Span<byte>(req.consumer, GpioConst.GPIO_MAX_NAME_SIZE - 1));
                req.consumer[n] = 0;
                req.num_lines = 1;
                req.config.flags = GpioConst.GPIO_V2_LINE_FLAG_OUTPUT;
                req.config.num_attrs = 1;
                ref var a = ref req.config.Attr(0);
                a.attr.id = GpioConst.GPIO_V2_LINE_ATTR_ID_OUTPUT_VALUES;
                a.attr.values = initialHigh ? 1UL : 0UL;
                a.mask = 1;
                int r = Libc.Ioctl(chip, GpioConst.GPIO_V2_GET_LINE_IOCTL, &req);
                if (r < 0) throw Libc.Error($"{chipPath}: GPIO_V2_GET_LINE_IOCTL line {line} as output", -r);
                _lineFd = req.fd;
            }
            finally { Libc.close(chip); }
        }

        public override void Write(bool high)
        {
            if (_lineFd < 0) throw new ObjectDisposedException(nameof(LinuxGpioOutput));
            var v = new gpio_v2_line_values { bits = high ? 1UL : 0UL, mask = 1 };
            int r = Libc.Ioctl(_lineFd, GpioConst.GPIO_V2_LINE_SET_VALUES_IOCTL, &v);
            if (r < 0) throw Libc.Error($"{ChipPath}: GPIO_V2_LINE_SET_VALUES_IOCTL line {Line}", -r);
        }

        public override void Dispose()
        {
            if (_lineFd >= 0) { Libc.close(_lineFd); _lineFd = -1; }
        }

        /// <summary>Parses "CHIP:LINE": CHIP is a number (→ /dev/gpiochipN), a name "gpiochipN" (→ /dev/gpiochipN) or a path.</summary>
        public static (string ChipPath, int Line) ParseSpec(string spec)
        {
            int colon = spec == null ? -1 : spec.LastIndexOf(':');
            if (colon <= 0 || colon == spec.Length - 1)
                throw new FormatException($"GPIO line '{spec}': expected CHIP:LINE, e.g. gpiochip0:17 or 0:17");
            string chip = spec.Substring(0, colon), lineText = spec.Substring(colon + 1);
            if (!int.TryParse(lineText, NumberStyles.None, CultureInfo.InvariantCulture, out int line))
                throw new FormatException($"GPIO line '{spec}': line '{lineText}' is not a number");
            string path;
            if (chip.StartsWith("/", StringComparison.Ordinal)) path = chip;
            else if (int.TryParse(chip, NumberStyles.None, CultureInfo.InvariantCulture, out int n)) path = "/dev/gpiochip" + n.ToString(CultureInfo.InvariantCulture);
            else if (chip.StartsWith("gpiochip", StringComparison.Ordinal) && chip.Length > 8 && int.TryParse(chip.AsSpan(8), NumberStyles.None, CultureInfo.InvariantCulture, out _)) path = "/dev/" + chip;
            else throw new FormatException($"GPIO line '{spec}': chip '{chip}' is not gpiochipN, N or a /dev path");
            return (path, line);
        }
    }
}
