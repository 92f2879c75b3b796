"""The library of material (一图看懂 images, PDFs, video links) for liaisons: kept by staff,
opened by liaisons through a public per-material link, sent after an event, attached to
campaigns and posted to WeCom groups."""
