using System;
using System.Buffers.Binary;
using System.IO;
using System.Text;
using Edge.Pi.Cli;
using Edge.Pi.Devices;

namespace Edge.Pi.Audio
{
    /// <summary>
    /// 16-bit little-endian mono PCM from a stream: a WAV file (RIFF/WAVE, format 1 = PCM or 0xFFFE extensible with
    /// the PCM sub-format, one channel, 16 bits, the stated rate) or raw S16_LE (what <c>arecord -t raw</c> writes).
    /// <see cref="Open"/> sniffs the first four bytes: "RIFF" is parsed as a WAV header, anything else is raw.
    /// Reads allocate nothing after construction.
    /// </summary>
    public sealed class PcmStreamSource : SampleSource
    {
        private readonly Stream _stream;
        private readonly bool _ownsStream;
        private readonly byte[] _buf = new byte[8192];
        private readonly string _name;
        private long _remaining;          // data bytes left (long.MaxValue: until the end of the stream)
        private int _pending = -1;        // a carried odd byte, or -1
        private readonly byte[] _prefix;  // bytes read while sniffing that belong to the samples (raw input)
        private int _prefixAt;

        public override int SampleRate { get; }
        /// <summary>"wav" or "raw".</summary>
        public string Kind { get; }

        private PcmStreamSource(Stream stream, bool owns, string name, string kind, int rate, long dataBytes, byte[] prefix)
        {
            _stream = stream; _ownsStream = owns; _name = name; Kind = kind; SampleRate = rate; _remaining = dataBytes;
            _prefix = prefix ?? Array.Empty<byte>();
        }

        /// <summary>Opens a WAV file (the header must say 16 kHz, mono, 16-bit PCM unless <paramref name="requiredRate"/> is 0).</summary>
        public static PcmStreamSource OpenFile(string path, int requiredRate = 16000)
        {
            if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such file");
            var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            try { return Open(fs, true, path, requiredRate, rawAllowed: false); }
            catch { fs.Dispose(); throw; }
        }

        /// <summary>
        /// Opens a stream holding a WAV header or raw S16_LE samples (<paramref name="rawAllowed"/>). Raw samples
        /// carry no rate; they are taken to be <paramref name="requiredRate"/> Hz mono.
        /// </summary>
        public static PcmStreamSource Open(Stream stream, bool ownsStream, string name, int requiredRate = 16000, bool rawAllowed = true)
        {
            var head = new byte[4];
            int got = ReadFully(stream, head, 0, 4);
            if (got == 4 && head[0] == 'R' && head[1] == 'I' && head[2] == 'F' && head[3] == 'F')
                return ParseWav(stream, ownsStream, name, requiredRate);
            if (!rawAllowed)
                throw new InvalidDataException($"{name}: not a WAV file (no RIFF header); edge-pi listen reads 16 kHz mono 16-bit PCM WAV files, or raw S16_LE from standard input (-)");
            var prefix = new byte[got];
            Array.Copy(head, prefix, got);
            return new PcmStreamSource(stream, ownsStream, name, "raw", requiredRate == 0 ? 16000 : requiredRate, long.MaxValue, prefix);
        }

        private static PcmStreamSource ParseWav(Stream s, bool owns, string name, int requiredRate)
        {
            var b = new byte[8];
            Need(s, b, 8, name, "RIFF header");
            if (Encoding.ASCII.GetString(b, 4, 4) != "WAVE") throw new InvalidDataException($"{name}: RIFF file is not WAVE ('{Encoding.ASCII.GetString(b, 4, 4)}')");
            bool haveFmt = false;
            int format = 0, channels = 0, rate = 0, bits = 0, blockAlign = 0;
            while (true)
            {
                if (ReadFully(s, b, 0, 8) < 8) throw new InvalidDataException($"{name}: WAV file has no 'data' chunk");
                string id = Encoding.ASCII.GetString(b, 0, 4);
                uint size = BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(4));
                if (id == "fmt ")
                {
                    if (size < 16 || size > 4096) throw new InvalidDataException($"{name}: 'fmt ' chunk of {size} bytes");
                    var f = new byte[size + (size & 1)];
                    Need(s, f, f.Length, name, "'fmt ' chunk");
                    format = BinaryPrimitives.ReadUInt16LittleEndian(f);
                    channels = BinaryPrimitives.ReadUInt16LittleEndian(f.AsSpan(2));
                    rate = (int)BinaryPrimitives.ReadUInt32LittleEndian(f.AsSpan(4));
                    blockAlign = BinaryPrimitives.ReadUInt16LittleEndian(f.AsSpan(12));
                    bits = BinaryPrimitives.ReadUInt16LittleEndian(f.AsSpan(14));
                    if (format == 0xFFFE && size >= 26) format = BinaryPrimitives.ReadUInt16LittleEndian(f.AsSpan(24)); // WAVE_FORMAT_EXTENSIBLE sub-format
                    haveFmt = true;
                }
                else if (id == "data")
                {
                    if (!haveFmt) throw new InvalidDataException($"{name}: 'data' chunk before the 'fmt ' chunk");
                    string what = $"{name}: {Describe(format, channels, rate, bits)}";
                    if (format != 1) throw new InvalidDataException($"{what}; edge-pi listen needs 16-bit PCM (format 1), e.g. sox in.wav -r 16000 -c 1 -b 16 -e signed-integer out.wav");
                    if (channels != 1) throw new InvalidDataException($"{what}; edge-pi listen needs mono, e.g. sox in.wav -c 1 out.wav");
                    if (bits != 16 || blockAlign != 2) throw new InvalidDataException($"{what}; edge-pi listen needs 16-bit samples, e.g. sox in.wav -b 16 out.wav");
                    if (requiredRate != 0 && rate != requiredRate) throw new InvalidDataException($"{what}; edge-pi listen needs {requiredRate} Hz, e.g. sox in.wav -r {requiredRate} out.wav");
                    // Streaming writers (arecord to a pipe) leave the size at 0 or 0xFFFFFFFF-ish: read to the end.
                    long data = size == 0 || size >= 0x7FFFF000u ? long.MaxValue : size;
                    return new PcmStreamSource(s, owns, name, "wav", rate, data, null);
                }
                else
                {
                    long skip = size + (size & 1);
                    var tmp = new byte[4096];
                    while (skip > 0)
                    {
                        int n = ReadFully(s, tmp, 0, (int)Math.Min(skip, tmp.Length));
                        if (n == 0) throw new InvalidDataException($"{name}: WAV chunk '{id}' runs past the end of the file");
                        skip -= n;
                    }
                }
            }
        }

        private static string Describe(int format, int channels, int rate, int bits) =>
            $"{(format == 1 ? "PCM" : format == 3 ? "IEEE float" : $"format {format}")}, {channels} channel{(channels == 1 ? "" : "s")}, {rate} Hz, {bits}-bit";

        private static void Need(Stream s, byte[] b, int n, string name, string what)
        {
            if (ReadFully(s, b, 0, n) < n) throw new InvalidDataException($"{name}: truncated {what}");
        }

        private static int ReadFully(Stream s, byte[] b, int off, int n)
        {
            int total = 0;
            while (total < n)
            {
                int r = s.Read(b, off + total, n - total);
                if (r <= 0) break;
                total += r;
            }
            return total;
        }

        /// <summary>Fills up to samples.Length samples; returns how many (0 at the end of the data).</summary>
        public override int Read(Span<short> samples)
        {
            int produced = 0;
            while (produced < samples.Length && _remaining > 0)
            {
                int wantBytes = (int)Math.Min(Math.Min((long)(samples.Length - produced) * 2, _buf.Length), _remaining);
                if (wantBytes <= 0) break;
                int at = 0;
                if (_pending >= 0) { _buf[0] = (byte)_pending; _pending = -1; at = 1; }
                int n = at;
                while (n < wantBytes && _prefixAt < _prefix.Length) _buf[n++] = _prefix[_prefixAt++];
                if (n < wantBytes)
                {
                    int r = _stream.Read(_buf, n, wantBytes - n);
                    if (r > 0) n += r;
                    else if (n == at) { _remaining = 0; break; }   // end of stream (a dangling odd byte is dropped)
                }
                int whole = n & ~1;
                for (int i = 0; i < whole; i += 2) samples[produced++] = (short)(_buf[i] | (_buf[i + 1] << 8));
                if ((n & 1) != 0) _pending = _buf[n - 1];
                if (_remaining != long.MaxValue) _remaining -= n - at;
                if (produced > 0 && n < wantBytes) break;   // a pipe delivered what it had: hand it on
            }
            return produced;
        }

        public override void Dispose()
        {
            if (_ownsStream) _stream.Dispose();
        }
    }
}
