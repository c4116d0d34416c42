import type { CSSProperties } from 'react';

/** A category's colours and sign, for products that have no photo yet. */
// A character, not an emoji: it renders the same on every phone and in every screenshot.
const ART: Record<string, { from: string; to: string; ink: string; sign: string }> = {
  rice: { from: '#f6efd9', to: '#e7d7a8', ink: '#8a6d1f', sign: '米' },
  grain: { from: '#f6efd9', to: '#e7d7a8', ink: '#8a6d1f', sign: '粮' },
  oil: { from: '#fdf3cf', to: '#f3d77a', ink: '#8a6a00', sign: '油' },
  tea: { from: '#e3f1e0', to: '#a9d3a0', ink: '#2f6b2a', sign: '茶' },
  apple: { from: '#fde4de', to: '#f4a99a', ink: '#a23a26', sign: '果' },
  fresh: { from: '#fde4de', to: '#f4a99a', ink: '#a23a26', sign: '鲜' },
};
const DEFAULT_ART = { from: '#e8eef2', to: '#c4d3dc', ink: '#3d5866', sign: '品' };

/** The product's first photo, or a calm placeholder in its category's colours. */
export function ProductArt({
  imageUrl,
  category,
  title,
  style,
}: {
  imageUrl?: string | undefined;
  category: string;
  title: string;
  style?: CSSProperties;
}) {
  const box: CSSProperties = { width: '100%', aspectRatio: '1 / 1', borderRadius: 8, overflow: 'hidden', ...style };
  if (imageUrl) {
    return <img src={imageUrl} alt={title} loading="lazy" style={{ ...box, objectFit: 'cover', display: 'block' }} />;
  }
  const art = ART[category] ?? DEFAULT_ART;
  return (
    <div
      role="img"
      aria-label={title}
      style={{
        ...box,
        display: 'flex',
        alignItems: 'center',
        justifyContent: 'center',
        background: `linear-gradient(135deg, ${art.from}, ${art.to})`,
        fontSize: 'clamp(40px, 14vw, 96px)',
        fontWeight: 600,
        color: art.ink,
        opacity: 0.55,
      }}
    >
      <span aria-hidden>{art.sign}</span>
    </div>
  );
}
