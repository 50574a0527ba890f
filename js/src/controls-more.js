// The rest of @jupyter-widgets/controls (media, pickers, dates, controller, tags, upload,
// tabs and accordions), as a third AMD part of the runtime: a page carries it only when
// its widget state needs one of these classes (a grid never does). See
// ./controls-extra.js; nothing here depends on that part.
export * from '@jupyter-widgets/controls/lib/widget_image.js';
export * from '@jupyter-widgets/controls/lib/widget_video.js';
export * from '@jupyter-widgets/controls/lib/widget_audio.js';
export * from '@jupyter-widgets/controls/lib/widget_color.js';
export * from '@jupyter-widgets/controls/lib/widget_date.js';
export * from '@jupyter-widgets/controls/lib/widget_datetime.js';
export * from '@jupyter-widgets/controls/lib/widget_time.js';
export * from '@jupyter-widgets/controls/lib/widget_controller.js';
export * from '@jupyter-widgets/controls/lib/widget_selectioncontainer.js';
export * from '@jupyter-widgets/controls/lib/widget_tagsinput.js';
export * from '@jupyter-widgets/controls/lib/widget_upload.js';
