namespace Edge.Esp32
{
    /// <summary>
    /// The only way Core/ touches hardware: a register-addressed bus (I2C on the board, a simulated register
    /// file in the host tests). Implementations must not allocate per call; the buffers are owned by the caller.
    /// </summary>
    public abstract class RegisterBus
    {
        /// <summary>Writes <paramref name="write"/> (register address first, then data bytes).</summary>
        public abstract void Write(byte[] write);

        /// <summary>
        /// Writes <paramref name="write"/> (usually one register address), then, with a repeated start, reads
        /// exactly <c>read.Length</c> bytes into <paramref name="read"/>.
        /// </summary>
        public abstract void WriteRead(byte[] write, byte[] read);
    }

    /// <summary>A monotonic tick source (the board: DateTime.UtcNow.Ticks, 100 ns units).</summary>
    public abstract class TickClock
    {
        public abstract long Ticks();

        /// <summary>Ticks per millisecond of <see cref="Ticks"/> (10 000 for DateTime ticks).</summary>
        public abstract long TicksPerMillisecond { get; }
    }
}
