import type { CSSProperties } from 'react';

/** A category's colours and sign, for products that have no photo yet. */
const ART: Record<string, { from: string; to: string; sign: string }> = {
  rice: { from: '#f6efd9', to: '#e7d7a8', sign: '🌾' },
  grain: { from: '#f6efd9', to: '#e7d7a8', sign: '🌾' },
  oil: { from: '#fdf3cf', to: '#f3d77a', sign: '🫒' },
  tea: { from: '#e3f1e0', to: '#a9d3a0', sign: '🍵' },
  apple: { from: '#fde4de', to: '#f4a99a', sign: '🍎' },
  fresh: { from: '#fde4de', to: '#f4a99a', sign: '🍎' },
};
const DEFAULT_ART = { from: '#e8eef2', to: '#c4d3dc', sign: '📦' };

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
        fontSize: 'clamp(32px, 10vw, 64px)',
      }}
    >
      <span aria-hidden>{art.sign}</span>
    </div>
  );
}
